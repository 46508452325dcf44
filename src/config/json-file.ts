/** Reads a JSON config file; a problem comes back as a message, never as a thrown error. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type JsonFileResult = { readonly json: unknown; readonly path: string } | { readonly problem: string };

/**
 * @param secret true for files holding secrets: a JSON syntax error is then reported by position only,
 *   because V8's message quotes the text around the error.
 */
export function readJsonFile(file: string, cwd: string, secret = false): JsonFileResult {
  const path = resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    return { problem: `cannot read ${path}: ${why}` };
  }
  try {
    return { json: JSON.parse(text), path };
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const detail = secret ? (position === undefined ? '' : ` at position ${position}`) : `: ${message}`;
    return { problem: `${path} is not valid JSON${detail}` };
  }
}
