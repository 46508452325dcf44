/**
 * A small client of this API for the `fleet-enroll` commands (status, retry, enqueue). `fetch` is injected
 * so tests can route it to `app.inject()`. Errors carry the API's status and code; the token is never in
 * a message.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OnboardingEvent } from '../domain/onboarding-event.js';
import type { EnrollmentAnswer } from '../api/enrollment-request.js';
import type { BatchView, DeviceView, Page, RetryResult, SiteView } from '../api/services.js';

export interface DeviceListQuery {
  readonly siteId: string;
  readonly state?: string | undefined;
  /** ISO-8601 */
  readonly since?: string | undefined;
  readonly limit?: number;
  readonly cursor?: string | null;
}

export class ApiClientError extends Error {
  override readonly name = 'ApiClientError';

  constructor(
    message: string,
    /** HTTP status; 0 when the API could not be reached */
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<Response>;

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

const USER_INFO = /^((?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/)?[^/?#@\s]*@/;

/** A URL as it may be shown: user name and password never are. */
export function displayUrl(url: string): string {
  return url.replace(USER_INFO, '$1***@');
}

/** One path segment; `.` and `..` are ids too, so they are escaped rather than resolved. */
export function pathSegment(value: string): string {
  if (value === '.') return '%2E';
  if (value === '..') return '%2E%2E';
  return encodeURIComponent(value);
}

const DOT_SEGMENT = /\/%2E(%2E)?(\/|$)/;

/**
 * fetch resolves `%2E` segments like `.` (WHATWG URL rules): a path holding one is sent as written, over
 * node:http(s).
 */
function fetchVerbatim(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
  const origin = new URL(url);
  const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  const send = origin.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send({ host: origin.hostname, port: origin.port || undefined, path, method: init.method, headers: init.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', reject);
      res.on('end', () => resolve(new Response(Buffer.concat(parts), { status: res.statusCode ?? 0 })));
    });
    req.on('error', (err) => reject(Object.assign(new Error(err.message), { cause: err })));
    req.end(init.body);
  });
}

const defaultFetch: FetchLike = (url, init) => (DOT_SEGMENT.test(url) ? fetchVerbatim(url, init) : fetch(url, init));

export class ApiClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    private readonly fetchImpl: FetchLike = defaultFetch,
  ) {
    // credentials in the URL are never sent (fetch refuses them) nor shown
    this.base = baseUrl.replace(/\/+$/, '').replace(USER_INFO, '$1');
  }

  device(deviceId: string): Promise<DeviceView> {
    return this.call('GET', `/v1/devices/${pathSegment(deviceId)}`);
  }

  site(siteId: string): Promise<SiteView> {
    return this.call('GET', `/v1/sites/${pathSegment(siteId)}`);
  }

  async sites(): Promise<SiteView[]> {
    return (await this.call<{ sites: SiteView[] }>('GET', '/v1/sites')).sites;
  }

  batch(batchId: string): Promise<BatchView> {
    return this.call('GET', `/v1/batches/${pathSegment(batchId)}`);
  }

  /** One page of `GET /v1/devices`. */
  devices(q: DeviceListQuery): Promise<Page<DeviceView>> {
    const params = new URLSearchParams({ siteId: q.siteId });
    if (q.state !== undefined) params.set('state', q.state);
    if (q.since !== undefined) params.set('since', q.since);
    if (q.limit !== undefined) params.set('limit', String(q.limit));
    if (q.cursor) params.set('cursor', q.cursor);
    return this.call('GET', `/v1/devices?${params.toString()}`);
  }

  retryBatch(batchId: string): Promise<RetryResult> {
    return this.call('POST', `/v1/batches/${pathSegment(batchId)}/retry`);
  }

  retrySite(siteId: string): Promise<RetryResult> {
    return this.call('POST', `/v1/sites/${pathSegment(siteId)}/retry`);
  }

  retryAllFailed(): Promise<RetryResult> {
    return this.call('POST', '/v1/retry-failed');
  }

  enroll(events: readonly Partial<OnboardingEvent>[]): Promise<EnrollmentAnswer> {
    return this.call('POST', '/v1/enrollments', { events });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== undefined) headers['authorization'] = `Bearer ${this.token}`;
    const init: { method: string; headers: Record<string, string>; body?: string } = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new ApiClientError(`cannot reach the API at ${this.base} (${why}); is \`fleet-enroll serve\` running? (--api URL)`, 0, 'UNREACHABLE');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      const hint = res.status === 401 ? ' (pass --token or --token-file)' : '';
      throw new ApiClientError(`${error?.message ?? `HTTP ${res.status}`}${hint}`, res.status, error?.code ?? `HTTP_${res.status}`);
    }
    if (json === undefined) throw new ApiClientError(`the API answered ${method} ${path} with a non-JSON body`, res.status, 'BAD_ANSWER');
    return json as T;
  }
}
