/** How many activations a site's devices need (invariant 3: the minimum, `ceil(devices / maxBatchSize)`). */

function check(devices: number, maxBatchSize: number): void {
  if (!Number.isInteger(devices) || devices < 0) throw new RangeError(`devices must be an integer ≥ 0 (got ${devices})`);
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new RangeError(`maxBatchSize must be an integer ≥ 1 (got ${maxBatchSize})`);
  }
}

export function minimumActivations(devices: number, maxBatchSize: number): number {
  check(devices, maxBatchSize);
  return Math.ceil(devices / maxBatchSize);
}

/** The batch sizes that cut `devices` into the fewest batches: full ones first, then the rest. */
export function batchSizes(devices: number, maxBatchSize: number): number[] {
  check(devices, maxBatchSize);
  const full = Math.floor(devices / maxBatchSize);
  const sizes = new Array<number>(full).fill(maxBatchSize);
  if (devices % maxBatchSize > 0) sizes.push(devices % maxBatchSize);
  return sizes;
}

/**
 * The batches the cut rule makes of one site's devices, given when each entered the site buffer (ms), if
 * every cut happened on time: a batch is cut when the buffer holds `maxBatchSize` devices, or a window after
 * the device at its head arrived, with whatever it holds then. Equal to `minimumActivations` when every
 * device arrives within one window of the site's first; more when arrivals spread over several windows.
 */
export function batchesByCutRule(arrivalsMs: readonly number[], maxBatchSize: number, windowMs: number): number {
  check(arrivalsMs.length, maxBatchSize);
  if (!(windowMs >= 0)) throw new RangeError(`windowMs must be ≥ 0 (got ${windowMs})`);
  const t = Float64Array.from(arrivalsMs).sort();
  let batches = 0;
  for (let head = 0; head < t.length; batches++) {
    const dueAt = t[head]! + windowMs;
    const fullAt = head + maxBatchSize - 1;
    if (fullAt < t.length && t[fullAt]! <= dueAt) {
      head += maxBatchSize;
      continue;
    }
    // cut when due: everything that arrived by then (fewer than a full batch)
    let next = head + 1;
    while (next < t.length && t[next]! <= dueAt) next++;
    head = next;
  }
  return batches;
}
