/**
 * When a batch's silent devices get their credentials again. The first redelivery comes `redeliverAfterMs`
 * after the delivery; each further one waits twice as long as the one before, up to REDELIVERY_MAX_FACTOR
 * times `redeliverAfterMs`. A device that lost its message is recovered as soon as before; devices that are
 * only slow (a line registering a few at a time, a simulator minutes behind) are not sent the same retained
 * message again and again: at 1,000,000 devices a fixed interval republished 4.15 million (bench/README.md).
 */
export const REDELIVERY_MAX_FACTOR = 8;

/** @param redeliveries the batch's redelivery rounds so far (0 after its first delivery) */
export function redeliveryWaitMs(redeliverAfterMs: number, redeliveries: number): number {
  if (!Number.isInteger(redeliveries) || redeliveries < 0) throw new RangeError(`redeliveries must be an integer ≥ 0 (got ${redeliveries})`);
  return redeliverAfterMs * Math.min(REDELIVERY_MAX_FACTOR, 2 ** Math.min(redeliveries, 30));
}
