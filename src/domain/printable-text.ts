/**
 * Text someone else wrote (a device's ack error, an API message) shown to a person: control characters
 * are written as escapes (`\x1b`, `\u009b`), so nothing a device reports can move a terminal's cursor,
 * set its title or clear the screen. The ack service stores device errors this way; the CLI prints
 * everything through it.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
