/**
 * Requests not aligned to the batch size: every site's devices cut into requests of random sizes (seeded), and
 * the requests of all sites posted in a random order, so that the cutter, not the poster, has to make full
 * batches. The benchmarks' `e2e-random` scenario; pure.
 */
import { seededRandom } from '../../domain/random-source.js';

export interface PlannedRequest {
  /** index into the run's sites */
  readonly site: number;
  /** the site's device numbers from … from + count - 1 (deviceIdFor) */
  readonly from: number;
  readonly count: number;
}

export interface RandomRequestOptions {
  readonly minSize: number;
  readonly maxSize: number;
  readonly seed: number;
}

export function randomRequestPlan(devicesPerSite: readonly number[], options: RandomRequestOptions): PlannedRequest[] {
  const { minSize, maxSize } = options;
  if (!Number.isInteger(minSize) || minSize < 1 || !Number.isInteger(maxSize) || maxSize < minSize) {
    throw new RangeError(`request sizes must be whole numbers with 1 ≤ min ≤ max (got ${minSize}–${maxSize})`);
  }
  const random = seededRandom(options.seed);
  const plan: PlannedRequest[] = [];
  devicesPerSite.forEach((devices, site) => {
    for (let from = 0; from < devices; ) {
      const count = Math.min(devices - from, minSize + Math.floor(random() * (maxSize - minSize + 1)));
      plan.push({ site, from, count });
      from += count;
    }
  });
  // Fisher–Yates: the sites' requests interleaved in a random order
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  return plan;
}
