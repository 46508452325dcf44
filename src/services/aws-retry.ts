/**
 * Retries of idempotent AWS calls (describe, tag, delete, clear) inside one reconcile pass: throttling and
 * transient errors back off with full jitter a few times; permanent errors and other failures go through.
 * CreateActivation is not retried here: it is not idempotent and has its own policy in the activation job.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fullJitterBackoff } from '../domain/backoff.js';
import { AwsCallError } from '../domain/errors.js';

export interface AwsRetryOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly random?: () => number;
  /** told of each retry (metrics) */
  readonly onRetry?: (err: AwsCallError) => void;
}

export async function withAwsRetries<T>(call: () => Promise<T>, options: AwsRetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const retryable = err instanceof AwsCallError && !err.permanent;
      if (!retryable || attempt >= options.attempts) throw err;
      options.onRetry?.(err);
      await sleep(fullJitterBackoff(attempt - 1, options.baseDelayMs, options.maxDelayMs, options.random));
    }
  }
}
