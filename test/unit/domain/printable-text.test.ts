import { describe, expect, it } from 'vitest';
import { printable } from '../../../src/domain/printable-text.js';

describe('printable', () => {
  it('writes C0 controls and DEL as \\xNN, two hex digits', () => {
    expect(printable('\u0000a\u0007\u001b[2Jb\u001f\u007f')).toBe('\\x00a\\x07\\x1b[2Jb\\x1f\\x7f');
    expect(printable('line\nnext\ttab\r')).toBe('line\\x0anext\\x09tab\\x0d');
  });

  it('writes C1 controls (the 8-bit CSI \\u009b among them) as escapes too', () => {
    expect(printable('\u0080x\u009b31m\u009f')).toBe('\\x80x\\x9b31m\\x9f');
  });

  it('leaves printable text alone: space, ~, Latin-1 from U+00A0, other scripts, emoji', () => {
    const text = ' ~\u00a0é ü 中文 🚀 "quoted" \\x1b';
    expect(printable(text)).toBe(text);
  });

  it('escapes every control character, not only the first', () => {
    expect(printable('\u001b\u001b\u001b')).toBe('\\x1b\\x1b\\x1b');
  });
});
