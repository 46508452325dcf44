/**
 * ApiServices with a deadline on every call. While Redis is down, BullMQ's connection queues commands
 * without end, so a request would hang; past the deadline it is answered 503 instead. An enrollment
 * that timed out may still be queued once Redis is back — resubmitting is safe, duplicates are counted,
 * never enqueued twice.
 */
import { FleetError } from '../domain/errors.js';
import type { ApiServices } from './services.js';
import type { ListingServices } from './services.js';

export const DEFAULT_REQUEST_DEADLINE_MS = 5_000;

export class DeadlineExceededError extends FleetError {
  constructor(what: string, ms: number) {
    super(
      'UNAVAILABLE',
      `${what}: Redis did not answer within ${ms} ms; try again (resubmitting events is safe: duplicates are not enqueued twice)`,
      { permanent: false },
    );
  }
}

function withDeadline<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(what, ms)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Wraps every method of `inner` in a deadline of `ms`. */
export function withDeadlines(inner: ApiServices, ms: number): ApiServices {
  return {
    enroll: (events, scope) => withDeadline('enroll', ms, inner.enroll(events, scope)),
    device: (id) => withDeadline('device', ms, inner.device(id)),
    site: (id) => withDeadline('site', ms, inner.site(id)),
    batch: (id) => withDeadline('batch', ms, inner.batch(id)),
    retryBatch: (id) => withDeadline('retry', ms, inner.retryBatch(id)),
    retrySite: (id) => withDeadline('retry', ms, inner.retrySite(id)),
    retryAllFailed: () => withDeadline('retry', ms, inner.retryAllFailed()),
    ack: (ack, source, topic) => withDeadline('ack', ms, inner.ack(ack, source, topic)),
    readiness: () => withDeadline('readiness', ms, inner.readiness()),
    refreshGauges: () => withDeadline('metrics', ms, inner.refreshGauges()),
  };
}

/** The same for the listings. */
export function withListingDeadlines(inner: ListingServices, ms: number): ListingServices {
  return {
    devices: (q) => withDeadline('list devices', ms, inner.devices(q)),
    batches: (q) => withDeadline('list batches', ms, inner.batches(q)),
    overview: (ids) => withDeadline('overview', ms, inner.overview(ids)),
  };
}
