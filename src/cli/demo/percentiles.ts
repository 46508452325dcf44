/** Nearest-rank percentiles of a sample (ms). */
export interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export function percentiles(sample: readonly number[]): Percentiles {
  if (sample.length === 0) return { p50: 0, p95: 0, p99: 0 };
  const sorted = Float64Array.from(sample).sort();
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
