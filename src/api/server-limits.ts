/**
 * What bounds the API's sockets, so a slow or hostile client cannot hold the server: a whole request
 * (headers and body) must arrive within `requestTimeoutMs` (the headers within `headersTimeoutMs`), an idle
 * socket closes after `connectionTimeoutMs`, and at most `maxConnections` sockets are open at once (more are
 * closed as they come). docs/SECURITY.md lists them.
 */
export interface ApiLimits {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = Object.freeze({
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  connectionTimeoutMs: 60_000,
  keepAliveTimeoutMs: 10_000,
  maxConnections: 2_048,
});

/** Router parameter limit: a 128-character device id percent-encoded in full still fits. */
export const MAX_PARAM_LENGTH = 3 * 128 + 16;
