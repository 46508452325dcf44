/**
 * Removes secrets (activation codes) from text before it is logged or published: a registration command
 * may echo its arguments in its error output, and Node's own spawn errors quote the whole command line.
 */
export const REDACTED = '[REDACTED]';

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out;
}
