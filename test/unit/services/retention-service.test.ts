import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/logger.js';
import type { RetentionStore } from '../../../src/queues/retention-store.js';
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
});
