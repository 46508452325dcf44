import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesGcmCodeCipher } from '../../../src/adapters/code-cipher.js';
import { FleetError } from '../../../src/domain/errors.js';

const CODE = 'aB3dE5fG7hI9jK1lM3nO5pQ7';

describe('AesGcmCodeCipher', () => {
  const cipher = new AesGcmCodeCipher(randomBytes(32));

  it('opens what it sealed, for the same batch only', () => {
    const sealed = cipher.seal(CODE, 'batch-1');
    expect(sealed).not.toContain(CODE);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain(CODE);
    expect(cipher.open(sealed, 'batch-1')).toBe(CODE);
    expect(() => cipher.open(sealed, 'batch-2')).toThrow(FleetError);
  });

  it('seals the same code differently each time (random IV)', () => {
    expect(cipher.seal(CODE, 'b')).not.toBe(cipher.seal(CODE, 'b'));
  });

  it('refuses a tampered value or another key, without echoing the value', () => {
    const sealed = cipher.seal(CODE, 'b');
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1]! ^= 1;
    const tampered = raw.toString('base64url');
    expect(() => cipher.open(tampered, 'b')).toThrow(/does not open/);
    try {
      new AesGcmCodeCipher(randomBytes(32)).open(sealed, 'b');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain(sealed);
    }
  });

  it('wants a 32-byte key', () => {
    expect(() => new AesGcmCodeCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
