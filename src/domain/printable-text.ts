/**
 * Text someone else wrote (a device's ack error, an API message) shown to a person: control characters
 * are written as `\xNN` escapes (`\x1b`, `\x9b`), so nothing a device reports can move a terminal's cursor,
 * set its title or clear the screen. The ack service stores device errors this way; the CLI prints
 * everything through it.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  // every character CONTROL matches is below U+0100: two hex digits always do
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
