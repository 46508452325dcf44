/**
 * Fault settings per operation, as given to `--faults`, `startEmulator({ faults })` and
 * `PUT /emulator/faults`: `{"ssm.CreateActivation":{"throttle":0.2,"error":0.05,"latencyMs":50,"tps":5,"dropAnswer":0.1}}`.
 */
import { OPERATIONS, isOperationKey, type OperationKey } from './operations.js';

export interface OperationFaults {
  /** probability of answering 400 ThrottlingException without doing the work */
  readonly throttle?: number;
  /** probability of answering 500 InternalServerError without doing the work */
  readonly error?: number;
  /** added before the work is done */
  readonly latencyMs?: number;
  /** calls per second admitted (token bucket, burst = one second's worth); beyond → ThrottlingException */
  readonly tps?: number;
  /** probability of doing the work, then closing the connection without an answer */
  readonly dropAnswer?: number;
  /**
   * read-after-write delay (reads only: ssm.DescribeActivations, ssm.DescribeInstanceInformation): a new
   * activation or managed node shows up in these reads only this long after it was created
   */
  readonly consistencyDelayMs?: number;
}

export type FaultConfig = Readonly<Partial<Record<OperationKey, OperationFaults>>>;

/** Bad fault settings; the message names the offending field. */
export class FaultConfigError extends Error {
  override readonly name = 'FaultConfigError';
}

const PROBABILITIES = ['throttle', 'error', 'dropAnswer'] as const;
/** the eventually consistent reads: what a read-after-write delay applies to */
export const CONSISTENCY_DELAYED: readonly OperationKey[] = ['ssm.DescribeActivations', 'ssm.DescribeInstanceInformation'];

export function parseFaultConfig(input: unknown): FaultConfig {
  if (!isPlainObject(input)) throw new FaultConfigError('faults: must be a JSON object keyed by operation, e.g. {"ssm.CreateActivation":{"throttle":0.2}}');
  const config: Partial<Record<OperationKey, OperationFaults>> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!isOperationKey(key)) {
      throw new FaultConfigError(`faults.${key}: unknown operation (known: ${OPERATIONS.join(', ')})`);
    }
    if (!isPlainObject(value)) throw new FaultConfigError(`faults.${key}: must be an object`);
    const faults: { -readonly [K in keyof OperationFaults]: number } = {};
    for (const [field, raw] of Object.entries(value)) {
      const path = `faults.${key}.${field}`;
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new FaultConfigError(`${path}: must be a number`);
      if ((PROBABILITIES as readonly string[]).includes(field)) {
        if (raw < 0 || raw > 1) throw new FaultConfigError(`${path}: must be a probability between 0 and 1, got ${raw}`);
      } else if (field === 'latencyMs') {
        if (raw < 0 || raw > 600_000) throw new FaultConfigError(`${path}: must be 0–600000 ms, got ${raw}`);
      } else if (field === 'consistencyDelayMs') {
        if (!CONSISTENCY_DELAYED.includes(key)) throw new FaultConfigError(`${path}: only for the eventually consistent reads (${CONSISTENCY_DELAYED.join(', ')})`);
        if (raw < 0 || raw > 600_000) throw new FaultConfigError(`${path}: must be 0–600000 ms, got ${raw}`);
      } else if (field === 'tps') {
        if (raw <= 0) throw new FaultConfigError(`${path}: must be greater than 0, got ${raw}`);
      } else {
        throw new FaultConfigError(`${path}: unknown fault (known: throttle, error, latencyMs, tps, dropAnswer, consistencyDelayMs)`);
      }
      faults[field as keyof OperationFaults] = raw;
    }
    config[key] = Object.freeze(faults);
  }
  return Object.freeze(config);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
