/**
 * Exponential backoff with full jitter (the AWS Architecture Blog's "Full Jitter"): the delay is uniform
 * in [0, min(max, base · 2^attempt)), so retries of many batches spread out instead of arriving together.
 */

/**
 * @param attempt 0 for the first retry, 1 for the second…
 * @param random a source in [0, 1): Math.random in production, a fixed or seeded one in tests
 * @returns whole milliseconds
 */
export function fullJitterBackoff(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be an integer ≥ 0 (got ${attempt})`);
  if (!(baseMs >= 0) || !(maxMs >= 0)) throw new RangeError('baseMs and maxMs must be ≥ 0');
  // cap the exponent: 2^attempt overflows to Infinity long before attempts matter
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * ceiling);
}
