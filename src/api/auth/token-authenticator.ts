/**
 * Bearer-token check. Config keeps only sha256(token); a presented token is hashed and compared with
 * every configured digest in constant time (no early exit), so timing says nothing about which digest,
 * or how much of one, matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiToken } from '../../config.js';
import { ApiError } from '../api-error.js';
import { Principal } from './principal.js';

export type DigestComparer = (a: Buffer, b: Buffer) => boolean;

interface KnownToken {
  readonly digest: Buffer;
  readonly principal: Principal;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export class TokenAuthenticator {
  private readonly known: readonly KnownToken[];

  constructor(
    tokens: readonly ApiToken[],
    /** injectable so a test can see that every comparison is the constant-time one */
    readonly compare: DigestComparer = timingSafeEqual,
  ) {
    this.known = tokens.map((t) => ({
      digest: Buffer.from(t.sha256.toLowerCase(), 'hex'),
      principal: new Principal(t.name, t.role, t.sites),
    }));
  }

  /** No tokens configured: the API is open (and listenAddress() keeps it on loopback). */
  get open(): boolean {
    return this.known.length === 0;
  }

  /** The caller for an Authorization header value; 401 ApiError when missing or not a known token. */
  authenticate(header: string | undefined): Principal {
    if (this.open) return Principal.loopbackOnly();
    if (header === undefined || header === '') {
      throw new ApiError('UNAUTHORIZED', 'missing Authorization header: send "Authorization: Bearer <token>"');
    }
    const match = BEARER.exec(header);
    if (!match) throw new ApiError('UNAUTHORIZED', 'Authorization header must be "Bearer <token>"');
    const presented = createHash('sha256').update(match[1]!, 'utf8').digest();
    let found: Principal | undefined;
    for (const k of this.known) {
      // every digest is compared, also after a match; lengths are equal unless config held a bad digest
      const equal = k.digest.length === presented.length && this.compare(k.digest, presented);
      if (equal && found === undefined) found = k.principal;
    }
    if (found === undefined) throw new ApiError('UNAUTHORIZED', 'invalid token');
    return found;
  }
}
