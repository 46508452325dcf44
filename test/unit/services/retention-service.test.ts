import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/logger.js';
import type { RetentionStore } from '../../../src/redis/retention-store.js';
import { RetentionService } from '../../../src/services/retention-service.js';

describe('RetentionService', () => {
  it('sweeps each site in chunks until a chunk comes back short, with the cutoff now - retention', async () => {
    const left: Record<string, number> = { a: 1_200, b: 10 };
    let batchesLeft = 700;
    const cutoffs: number[] = [];
    const store = {
      sweepDevices: async (siteId: string, cutoff: number, limit: number) => {
        cutoffs.push(cutoff);
        const n = Math.min(limit, left[siteId]!);
        left[siteId]! -= n;
        return { deleted: n, lookedAt: n };
      },
      sweepBatches: async (_cutoff: number, limit: number) => {
        const n = Math.min(limit, batchesLeft);
        batchesLeft -= n;
        return n;
      },
    } as unknown as RetentionStore;
    const s = new RetentionService({ siteIds: ['a', 'b'], retention: store, retentionMs: 1_000, logger: createLogger('silent'), clock: () => 5_000 });
    expect(await s.sweep()).toEqual({ devices: 1_210, batches: 700 });
    expect(new Set(cutoffs)).toEqual(new Set([4_000]));
    expect(await s.sweep()).toEqual({ devices: 0, batches: 0 });
  });

  it('stops after 20 calls per site and 20 for batches in one pass, however much is left', async () => {
    const deviceCalls: string[] = [];
    let batchCalls = 0;
    const store = {
      sweepDevices: async (siteId: string, _cutoff: number, limit: number) => (deviceCalls.push(siteId), { deleted: limit, lookedAt: limit }),
      sweepBatches: async (_cutoff: number, limit: number) => (batchCalls++, limit),
    } as unknown as RetentionStore;
    const s = new RetentionService({ siteIds: ['a', 'b'], retention: store, retentionMs: 1_000, logger: createLogger('silent'), clock: () => 5_000 });
    expect(await s.sweep()).toEqual({ devices: 2 * 20 * 500, batches: 20 * 500 });
    expect(deviceCalls.filter((x) => x === 'a')).toHaveLength(20);
    expect(deviceCalls.filter((x) => x === 'b')).toHaveLength(20);
    expect(batchCalls).toBe(20);
  });

  it('goes on while a chunk was looked at in full, even if it deleted little (records not old enough yet are skipped)', async () => {
    let calls = 0;
    const store = {
      sweepDevices: async () => (calls++, calls < 3 ? { deleted: 1, lookedAt: 500 } : { deleted: 0, lookedAt: 499 }),
      sweepBatches: async () => 0,
    } as unknown as RetentionStore;
    const s = new RetentionService({ siteIds: ['a'], retention: store, retentionMs: 1_000, logger: createLogger('silent'), clock: () => 5_000 });
    expect(await s.sweep()).toEqual({ devices: 2, batches: 0 });
    expect(calls).toBe(3);
  });

  it('stops sweeping batches at the first short chunk', async () => {
    const sizes = [500, 200, 500];
    let calls = 0;
    const store = { sweepDevices: async () => ({ deleted: 0, lookedAt: 0 }), sweepBatches: async () => sizes[calls++] ?? 0 } as unknown as RetentionStore;
    const s = new RetentionService({ siteIds: [], retention: store, retentionMs: 1_000, logger: createLogger('silent'), clock: () => 5_000 });
    expect(await s.sweep()).toEqual({ devices: 0, batches: 700 });
    expect(calls).toBe(2);
  });
});
