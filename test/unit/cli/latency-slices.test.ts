import { describe, expect, it } from 'vitest';
import { latencySlices, percentilesAfter } from '../../../src/cli/demo/percentiles.js';

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

describe('percentilesAfter', () => {
  it('leaves out the samples of the first skipMs after the earliest', () => {
    const timed: [number, number][] = [
      [1_000, 5_000],
      [3_000, 4_000],
      [6_000, 10],
      [6_001, 20],
      [9_000, 30],
    ];
    expect(percentilesAfter(timed, 5_000)).toEqual({ samples: 3, p50: 20, p95: 30, p99: 30 });
    expect(percentilesAfter(timed, 0)).toEqual({ samples: 5, p50: 30, p95: 5_000, p99: 5_000 });
  });
});
