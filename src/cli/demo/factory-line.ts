/**
 * A simulated provisioning line: posts every device that "passed test" to POST /v1/enrollments in bulk
 * requests, as fast as the API takes them or at a steady rate.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface FactoryLineOptions {
  readonly apiUrl: string;
  readonly siteId: string;
  readonly devices: number;
  /** events per request */
  readonly chunk?: number;
  /** devices per second for this line; absent = as fast as accepted */
  readonly ratePerSecond?: number;
  /**
   * with a rate: requests posted on schedule while earlier ones are still unanswered, at most this many at
   * once (default 1: each waits for the one before). An open-loop line keeps its rate when the API slows down,
   * so a slow answer shows in the latency instead of thinning the load (no coordinated omission).
   */
  readonly maxInFlight?: number;
  /** called with the number each request got accepted (progress) */
  readonly onAccepted?: (count: number) => void;
  /** called for each request answered 202, with its devices and when the answer arrived (latency from the 202) */
  readonly onRequestAccepted?: (request: AcceptedRequest) => void;
  readonly signal?: AbortSignal;
}

export interface LineResult {
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface AcceptedRequest {
  readonly siteId: string;
  /** the site's device numbers from … from + count - 1 */
  readonly from: number;
  readonly count: number;
  /** Date.now() when the client had the 202 */
  readonly at: number;
  readonly answer: EnrollAnswer;
}

export function deviceIdFor(siteId: string, n: number): string {
  return `${siteId}.SN-${String(n).padStart(7, '0')}`;
}

export async function runFactoryLine(options: FactoryLineOptions): Promise<LineResult> {
  const chunk = options.chunk ?? 1000;
  const result: LineResult = { accepted: 0, duplicates: 0, rejected: 0 };
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = options.ratePerSecond ? Math.max(1, options.maxInFlight ?? 1) : 1;
  let failure: { error: unknown } | undefined;
  for (let from = 0; from < options.devices && !failure; from += chunk) {
    if (options.signal?.aborted) break;
    if (options.ratePerSecond) {
      const due = started + (from / options.ratePerSecond) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const posted: Promise<void> = postDevices(options.apiUrl, options.siteId, from, Math.min(chunk, options.devices - from), options.signal)
      .then((request) => {
        result.accepted += request.answer.accepted;
        result.duplicates += request.answer.duplicates;
        result.rejected += request.answer.rejected.length;
        options.onAccepted?.(request.answer.accepted);
        options.onRequestAccepted?.(request);
      })
      // the first failure stops the line once what is in flight is answered (never an unhandled rejection)
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => inFlight.delete(posted));
    inFlight.add(posted);
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  return result;
}

/** one request: the site's devices from … from + count - 1, posted until answered 202 */
export async function postDevices(apiUrl: string, siteId: string, from: number, count: number, signal?: AbortSignal): Promise<AcceptedRequest> {
  const events = [];
  for (let n = from; n < from + count; n++) {
    const deviceId = deviceIdFor(siteId, n);
    events.push({ deviceId, siteId, thingName: `edge-${deviceId.replace(/\./g, '-')}`, attributes: { model: 'X1', line: '1' } });
  }
  const answer = await postWithRetry(`${apiUrl}/v1/enrollments`, JSON.stringify({ events }), signal);
  return { siteId, from, count, at: Date.now(), answer };
}

export interface EnrollAnswer {
  accepted: number;
  duplicates: number;
  rejected: unknown[];
}

/** 503 (Redis briefly away) and connection errors are retried: a line station does not drop devices. */
async function postWithRetry(url: string, body: string, signal: AbortSignal | undefined): Promise<EnrollAnswer> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' }, ...(signal ? { signal } : {}) });
      if (res.status === 202) return (await res.json()) as EnrollAnswer;
      const text = await res.text();
      if (res.status < 500 || attempt >= 30) throw new Error(`POST /v1/enrollments answered ${res.status}: ${text.slice(0, 300)}`);
    } catch (err) {
      if (signal?.aborted || attempt >= 30 || (err instanceof Error && err.message.startsWith('POST /v1/enrollments'))) throw err;
    }
    await sleep(Math.min(2000, 100 * attempt));
  }
}
