/**
 * The listings' opaque cursor: the site being listed and the last sequence number looked at there.
 * base64url of `<siteId>\n<sequence>`; anything else is a validation error naming `cursor`.
 */
import { ValidationError } from '../domain/errors.js';

export interface ListingPosition {
  readonly siteId: string;
  /** '' = the start of the site's index */
  readonly after: string;
}

export function encodeCursor(p: ListingPosition): string {
  return Buffer.from(`${p.siteId}\n${p.after}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, siteIds: readonly string[]): ListingPosition {
  const bad = (message: string): ValidationError => new ValidationError([{ path: 'cursor', message }], 'query');
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw bad('is not a cursor this API returned');
  const [siteId, after, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  if (siteId === undefined || after === undefined || rest.length > 0 || !/^(\d{1,16})?$/.test(after)) {
    throw bad('is not a cursor this API returned');
  }
  if (!siteIds.includes(siteId)) throw bad('belongs to another listing (other siteId filter or token)');
  return { siteId, after };
}
