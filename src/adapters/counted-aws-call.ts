/**
 * One AWS call, counted in fleet_aws_calls_total by its outcome (ok, throttled, error); a failure is raised
 * as an AwsCallError, classified on the error's name by the domain. Every adapter's AWS call goes through it.
 */
import { toAwsCallError } from '../domain/aws-error.js';
import type { AwsCallError } from '../domain/errors.js';
import type { Metrics } from './metrics.js';

export interface CountedCallOptions {
  /** what the error becomes before it is classified (e.g. stripped of a request that holds a secret) */
  readonly sanitize?: (err: unknown) => unknown;
  /** told the outcome once it is known (the rate limiter's adaptive rate) */
  readonly onOutcome?: (outcome: 'ok' | 'throttled' | 'error') => void;
}

export async function countedAwsCall<T>(metrics: Metrics, operation: string, send: () => Promise<T>, options: CountedCallOptions = {}): Promise<T> {
  let out: T;
  try {
    out = await send();
  } catch (err) {
    const e: AwsCallError = toAwsCallError(operation, options.sanitize ? options.sanitize(err) : err);
    const outcome = e.throttled ? 'throttled' : 'error';
    metrics.awsCalls.inc({ operation, outcome });
    options.onOutcome?.(outcome);
    throw e;
  }
  metrics.awsCalls.inc({ operation, outcome: 'ok' });
  options.onOutcome?.('ok');
  return out;
}
