/** redeliveryWaitMs: the first round after redeliverAfterMs, each further one twice as long, capped. */
import { describe, expect, it } from 'vitest';
import { REDELIVERY_MAX_FACTOR, redeliveryWaitMs } from '../../../src/domain/redelivery.js';

describe('redeliveryWaitMs', () => {
  it('doubles with each round up to REDELIVERY_MAX_FACTOR times the base', () => {
    expect([0, 1, 2, 3, 4, 10, 1_000].map((n) => redeliveryWaitMs(60_000, n))).toEqual([60_000, 120_000, 240_000, 480_000, 480_000, 480_000, 480_000]);
    expect(REDELIVERY_MAX_FACTOR).toBe(8);
  });

  it('refuses a round count that is not a whole number ≥ 0, naming it', () => {
    expect(() => redeliveryWaitMs(60_000, -1)).toThrow(/redeliveries/);
    expect(() => redeliveryWaitMs(60_000, 1.5)).toThrow(/redeliveries/);
  });
});
