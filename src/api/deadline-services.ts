/**
 * A deadline on every call the API makes into the services. While Redis is down, BullMQ's connection
 * queues commands without end, so a request would hang; past the deadline it is answered 503 instead.
 * An enrollment that timed out may still be queued once Redis is back — resubmitting is safe, duplicates
 * are counted, never enqueued twice.
 */
import { FleetError } from '../domain/errors.js';

export const DEFAULT_REQUEST_DEADLINE_MS = 5_000;

export class DeadlineExceededError extends FleetError {
  constructor(what: string, ms: number) {
    super(
      'UNAVAILABLE',
      `${what}: Redis did not answer within ${ms} ms; try again (resubmitting events is safe: duplicates are not enqueued twice)`,
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

/** `inner` with every method that returns a promise held to a deadline of `ms` (the error names the method). */
export function withDeadlines<T extends object>(inner: T, ms: number): T {
  return new Proxy(inner, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? withDeadline(String(name), ms, result) : result;
      };
    },
  });
}
