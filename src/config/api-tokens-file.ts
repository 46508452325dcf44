/**
 * FLEET_API_TOKENS_FILE: `{"tokens":[{"name","token","role":"line"|"admin","sites":["*"|siteId…]}]}`.
 * Only the sha256 of each token is kept; no message ever contains a token.
 */
import { createHash } from 'node:crypto';
import type { FieldIssue } from '../domain/errors.js';
import { isJsonObject, joinPath, jsonTypeOf } from '../domain/json-shape.js';

export type ApiRole = 'line' | 'admin';

export interface ApiToken {
  /** a label for logs; never the token */
  readonly name: string;
  /** sha256 of the token, hex: the token itself is not kept in memory longer than loading */
  readonly sha256: string;
  readonly role: ApiRole;
  /** site ids, or ['*'] for all */
  readonly sites: readonly string[];
}

export const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_LENGTH = 4096;
const TOKEN_NAME = /^[A-Za-z0-9_.:@-]{1,64}$/;
/** what a `Bearer` header can carry as is: visible ASCII, no spaces */
const TOKEN_TEXT = /^[\x21-\x7e]+$/;
const ROLES: readonly ApiRole[] = ['line', 'admin'];
const TOKEN_KEYS = new Set(['name', 'token', 'role', 'sites']);

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export type TokensResult = { readonly tokens: ApiToken[] } | { readonly issues: FieldIssue[] };

/** @param knownSites site ids a token may name (besides `*`) */
export function parseApiTokensFile(input: unknown, knownSites: { has(id: string): boolean }): TokensResult {
  const issues: FieldIssue[] = [];
  const add = (path: string, message: string): void => void issues.push({ path, message });
  if (!isJsonObject(input)) return { issues: [{ path: '', message: `must be a JSON object {"tokens":[…]} (got ${jsonTypeOf(input)})` }] };
  for (const key of Object.keys(input)) if (key !== 'tokens') add(joinPath('', key), 'unknown field');
  if (!Array.isArray(input.tokens)) {
    add('tokens', `must be an array (got ${jsonTypeOf(input.tokens)})`);
    return { issues };
  }
  // no token would leave the API open (on loopback): not what a file of tokens means
  if (input.tokens.length === 0) add('tokens', 'must hold at least one token (leave FLEET_API_TOKENS_FILE unset for an open, loopback-only API)');

  const tokens: ApiToken[] = [];
  const names = new Map<string, number>();
  const hashes = new Map<string, number>();
  input.tokens.forEach((raw, i) => {
    const path = `tokens[${i}]`;
    if (!isJsonObject(raw)) return add(path, `must be an object (got ${jsonTypeOf(raw)})`);
    const before = issues.length;
    for (const key of Object.keys(raw)) if (!TOKEN_KEYS.has(key)) add(joinPath(path, key), 'unknown field');
    const { name, token, role, sites } = raw;
    if (typeof name !== 'string' || !TOKEN_NAME.test(name)) add(`${path}.name`, 'must be 1-64 characters of A-Z a-z 0-9 _ . : @ -');
    else if (names.has(name)) add(`${path}.name`, `duplicate name (also tokens[${names.get(name)}])`);
    else names.set(name, i);
    let sha256 = '';
    if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) {
      add(`${path}.token`, `must be a string of ${MIN_TOKEN_LENGTH} to ${MAX_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`);
    } else if (!TOKEN_TEXT.test(token)) {
      add(`${path}.token`, 'must be visible ASCII characters without spaces (a Bearer header could not carry it)');
    } else {
      sha256 = sha256Hex(token);
      const seen = hashes.get(sha256);
      if (seen !== undefined) add(`${path}.token`, `same token as tokens[${seen}]`);
      else hashes.set(sha256, i);
    }
    if (!ROLES.includes(role as ApiRole)) add(`${path}.role`, `must be "line" or "admin"`);
    if (!Array.isArray(sites) || sites.length === 0) add(`${path}.sites`, 'must be a non-empty array of site ids, or ["*"] for all');
    else {
      sites.forEach((s, j) => {
        if (typeof s !== 'string') add(`${path}.sites[${j}]`, `must be a string (got ${jsonTypeOf(s)})`);
        else if (s !== '*' && !knownSites.has(s)) add(`${path}.sites[${j}]`, `unknown site "${s.slice(0, 128)}"`);
      });
    }
    if (issues.length === before) {
      tokens.push({ name: name as string, sha256, role: role as ApiRole, sites: [...(sites as string[])] });
    }
  });
  return issues.length > 0 ? { issues } : { tokens };
}
