import { describe, expect, it } from 'vitest';
import { latencySlices } from '../../../src/cli/demo/percentiles.js';

describe('latencySlices', () => {
  it('cuts the samples by time from the earliest, each slice with its own percentiles, empty slices left out', () => {
    const timed: [number, number][] = [
      [10_250, 300],
      [1_000, 100],
      [21_000, 7],
      [1_500, 200],
      [5_999, 900],
      [6_000, 50],
    ];
    expect(latencySlices(timed, 5_000)).toEqual([
      { fromMs: 0, toMs: 5_000, samples: 3, p50: 200, p95: 900, p99: 900 },
      { fromMs: 5_000, toMs: 10_000, samples: 2, p50: 50, p95: 300, p99: 300 },
      { fromMs: 20_000, toMs: 25_000, samples: 1, p50: 7, p95: 7, p99: 7 },
    ]);
  });

  it('has no slices without samples', () => {
    expect(latencySlices([], 1_000)).toEqual([]);
  });
});
