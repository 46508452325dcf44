/** A source of numbers in [0, 1). Seeded in tests so injected faults are the same on every run. */
export type RandomSource = () => number;

/** mulberry32: tiny, fast and good enough to decide fault coin flips reproducibly. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
