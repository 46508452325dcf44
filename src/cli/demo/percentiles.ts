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

/** the percentiles of the samples whose time falls in [fromMs, toMs) after the first sample's */
export interface LatencySlice extends Percentiles {
  readonly fromMs: number;
  readonly toMs: number;
  readonly samples: number;
}

/** [when, value] pairs in any order: a run's samples by when they happened */
type Timed = readonly (readonly [number, number])[];

function earliest(timed: Timed): number {
  let first = Infinity;
  for (const [at] of timed) first = Math.min(first, at);
  return first;
}

/** `timed`: [when, value] pairs in any order; one slice per `widthMs` from the earliest `when`, empty slices left out */
export function latencySlices(timed: Timed, widthMs: number): LatencySlice[] {
  if (timed.length === 0) return [];
  const first = earliest(timed);
  const slices = new Map<number, number[]>();
  for (const [at, value] of timed) {
    const i = Math.floor((at - first) / widthMs);
    let slice = slices.get(i);
    if (slice === undefined) slices.set(i, (slice = []));
    slice.push(value);
  }
  return [...slices.entries()].sort(([a], [b]) => a - b).map(([i, values]) => ({ fromMs: i * widthMs, toMs: (i + 1) * widthMs, samples: values.length, ...percentiles(values) }));
}

/** the percentiles of the samples from `skipMs` after the earliest on: a run's steady state, its start-up left out */
export function percentilesAfter(timed: Timed, skipMs: number): Percentiles & { readonly samples: number } {
  const first = earliest(timed);
  const values = timed.filter(([at]) => at >= first + skipMs).map(([, v]) => v);
  return { samples: values.length, ...percentiles(values) };
}
