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
