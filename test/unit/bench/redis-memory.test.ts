import { describe, expect, it } from 'vitest';
import { atPeakMemory, worstPerRecord, type MemorySample } from '../../../bench/redis-memory.js';

const sample = (usedBytes: number, records: number, inFlight: number): MemorySample => ({ at: 0, usedBytes, records, accepted: records, inFlight });

describe('Redis memory per device record', () => {
  const baseline = 1_000_000;
  const samples = [sample(1_100_000, 100, 100), sample(3_000_000, 5000, 4000), sample(2_500_000, 10_000, 10), sample(1_800_000, 1000, 900)];

  it('divides by the records held at the sample with the highest used_memory, not by those in flight', () => {
    expect(atPeakMemory(samples, baseline)).toEqual({ bytesPerDevice: 400, usedBytes: 3_000_000, records: 5000, accepted: 5000, inFlight: 4000 });
  });

  it('reports the worst sample among those holding enough records', () => {
    // 1,000 / 100 = 1,000 B per record at the first sample, left out below the floor
    expect(worstPerRecord(samples, baseline, 1000)).toEqual({ bytesPerDevice: 800, usedBytes: 1_800_000, records: 1000, accepted: 1000, inFlight: 900 });
    expect(worstPerRecord(samples, baseline, 0)?.bytesPerDevice).toBe(1000);
  });

  it('has no figure without samples', () => {
    expect(atPeakMemory([], baseline)).toBeUndefined();
    expect(worstPerRecord(samples, baseline, 20_000)).toBeUndefined();
  });
});
