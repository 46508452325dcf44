/**
 * Query strings may carry secrets (`?token=…`, `?access_token=…`, anything a client puts there): every
 * query value in a log line — the request's URL, a message or error text quoting one — is written as
 * `[redacted]`; names stay, so a person still sees what was sent.
 */
const QUERY_VALUE = /([?&][^=&#\s"'?]*=)[^&#\s"']*/g;

export function redactQueryValues(text: string): string {
  return text.includes('?') ? text.replace(QUERY_VALUE, '$1[redacted]') : text;
}

interface RequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly socket?: { readonly remotePort?: number } | null;
}

/** pino serializer for `req` (Fastify's fields, the URL's query values redacted). */
export function serializeRequest(req: RequestLike): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactQueryValues(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
