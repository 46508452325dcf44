/**
 * `--api URL`, `--token T`, `--token-file F`: how a command reaches a running `fleet-enroll serve`.
 * Shared by status and retry (and open to enqueue). A token file keeps the token out of `ps` and shell history.
 */
import { readFileSync } from 'node:fs';
import { ApiClient, DEFAULT_API_URL, displayUrl, type FetchLike } from '../api-client.js';
import { UsageError } from '../command.js';

export const API_CONNECTION_OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
} as const;

export const API_CONNECTION_USAGE = `  --api URL                 the API of \`fleet-enroll serve\` (default ${DEFAULT_API_URL})
  --token T                 API bearer token (not needed when the server has no tokens configured)
  --token-file F            read the token from file F instead (keeps it out of ps and shell history)`;

export interface ApiConnectionFlags {
  api?: string | undefined;
  token?: string | undefined;
  'token-file'?: string | undefined;
}

function token(flags: ApiConnectionFlags): string | undefined {
  if (flags.token !== undefined && flags['token-file'] !== undefined) throw new UsageError('--token and --token-file exclude each other');
  if (flags.token !== undefined) {
    if (flags.token.trim() === '') throw new UsageError('--token: is empty');
    return flags.token.trim();
  }
  const file = flags['token-file'];
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--token-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const value = text.trim();
  if (value === '' || /\s/.test(value)) throw new UsageError(`--token-file: ${file} must hold exactly one token`);
  return value;
}

function apiUrl(value: string | undefined): string {
  const url = value ?? DEFAULT_API_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--api: not a URL: "${displayUrl(url)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--api: must be an http(s) URL, got "${displayUrl(url)}"`);
  return url;
}

export function apiClientFrom(flags: ApiConnectionFlags, fetchImpl?: FetchLike): ApiClient {
  return new ApiClient(apiUrl(flags.api), token(flags), fetchImpl);
}
