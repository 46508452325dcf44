import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchesByCutRule, minimumActivations } from '../../../src/domain/batching.js';

describe('batchesByCutRule', () => {
  it('is the minimum when every device arrives within one window of the first', () => {
    expect(batchesByCutRule([0, 10, 20, 999, 1000], 2, 1000)).toBe(3);
    expect(batchesByCutRule(Array.from({ length: 2500 }, (_, i) => i % 7), 1000, 1000)).toBe(3);
  });

  it('cuts a partial batch when the head has waited a window', () => {
    // 3 devices by 1000, then one at 1001: the first three go when due, the late one alone
    expect(batchesByCutRule([0, 500, 1000, 1001], 10, 1000)).toBe(2);
    // a full batch cut at once; the next head's window starts at its own arrival
    expect(batchesByCutRule([0, 1, 2, 3, 1500, 2500], 2, 1000)).toBe(3);
    expect(batchesByCutRule([0, 2000, 4000], 1000, 1000)).toBe(3);
  });

  it('does not depend on the order the arrivals are given in', () => {
    expect(batchesByCutRule([1001, 0, 1000, 500], 10, 1000)).toBe(2);
  });

  it('is none for no devices, and rejects a bad size or window', () => {
    expect(batchesByCutRule([], 5, 1000)).toBe(0);
    expect(() => batchesByCutRule([1], 0, 1000)).toThrow(RangeError);
    expect(() => batchesByCutRule([1], 5, -1)).toThrow(RangeError);
  });

  it('is never below the minimum, nor above one batch per device', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 3000 }), (arrivals, max, window) => {
        const n = batchesByCutRule(arrivals, max, window);
        expect(n).toBeGreaterThanOrEqual(minimumActivations(arrivals.length, max));
        expect(n).toBeLessThanOrEqual(arrivals.length);
      }),
    );
  });
});
