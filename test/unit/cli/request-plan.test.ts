import { describe, expect, it } from 'vitest';
import { randomRequestPlan } from '../../../src/cli/demo/request-plan.js';

describe('randomRequestPlan', () => {
  const sites = [2500, 7, 1800, 1];
  const plan = randomRequestPlan(sites, { minSize: 1, maxSize: 1500, seed: 16 });

  it('covers every device of every site exactly once', () => {
    sites.forEach((devices, site) => {
      const mine = plan.filter((r) => r.site === site).sort((a, b) => a.from - b.from);
      let next = 0;
      for (const r of mine) {
        expect(r.from).toBe(next);
        next += r.count;
      }
      expect(next).toBe(devices);
    });
  });

  it('keeps every request within the sizes asked for, but a site\'s last one, which may be smaller', () => {
    for (const r of plan) {
      expect(r.count).toBeGreaterThanOrEqual(1);
      expect(r.count).toBeLessThanOrEqual(1500);
    }
    const big = randomRequestPlan([100_000], { minSize: 900, maxSize: 1100, seed: 1 });
    for (const r of big) {
      expect(r.count).toBeLessThanOrEqual(1100);
      if (r.from + r.count < 100_000) expect(r.count).toBeGreaterThanOrEqual(900);
    }
  });

  it('is the same plan for the same seed, another for another seed', () => {
    expect(randomRequestPlan(sites, { minSize: 1, maxSize: 1500, seed: 16 })).toEqual(plan);
    expect(randomRequestPlan(sites, { minSize: 1, maxSize: 1500, seed: 17 })).not.toEqual(plan);
  });

  it('interleaves the sites instead of posting one after the other', () => {
    const many = randomRequestPlan(Array.from({ length: 20 }, () => 5000), { minSize: 1, maxSize: 1500, seed: 3 });
    const firstSites = new Set(many.slice(0, 20).map((r) => r.site));
    expect(firstSites.size).toBeGreaterThan(5);
  });

  it('rejects sizes that make no sense', () => {
    expect(() => randomRequestPlan([10], { minSize: 0, maxSize: 5, seed: 1 })).toThrow(RangeError);
    expect(() => randomRequestPlan([10], { minSize: 6, maxSize: 5, seed: 1 })).toThrow(RangeError);
  });
});
