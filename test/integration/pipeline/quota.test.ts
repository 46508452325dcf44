/**
 * The per-Region managed-node quota: a batch that would go past it waits as `blocked: quota`, visibly,
 * and goes on by itself when room frees (here: the first batch's activation expires unused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.js';

describe('pipeline: managed-node quota', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await PipelineHarness.start({
      sites: [{ id: 'q-a', maxBatchSize: 20, activationTtlHours: 1_500 / 3_600_000 }],
      nodeQuota: 20,
      maxRebatches: 0,
      simulator: { silentFraction: 1 },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('blocks the batch beyond the quota and unblocks it when room frees', async () => {
    const events = h.events('q-a', 40);
    await h.enroll(events);
    const batchOf = async (deviceId: string) => {
      const id = (await h.app.services.device(deviceId))?.batchId;
      return id ? h.app.services.batch(id) : null;
    };
    const first = events[0]!.deviceId;
    const second = events[39]!.deviceId;
    await h.waitFor(async () => (await batchOf(second))?.state === 'blocked', 10_000, async () => JSON.stringify(await batchOf(second)));
    const blocked = (await batchOf(second))!;
    expect(blocked).toMatchObject({ state: 'blocked', blockedReason: 'quota', size: 20, activationId: null });
    // the first batch reserved its nodes when it was cut; its activation may still be on its way (and, at a
    // 1.5 s lifetime on a loaded machine, may already have expired by the time we look)
    await h.waitFor(async () => ['active', 'expired'].includes((await batchOf(first))?.state ?? ''), 10_000, async () => JSON.stringify(await batchOf(first)));
    expect(h.emulator.state.activations.created).toBe(1);
    await h.app.services.refreshGauges();
    const metrics = await h.metrics.registry.metrics();
    expect(metrics).toContain('fleet_batches{state="blocked"} 1');
    expect(metrics).toMatch(/fleet_quota_blocked_total [1-9]/);

    // the first activation expires with nothing registered: its 20 reserved nodes free up
    await h.waitFor(async () => (await batchOf(second))?.state === 'active', 15_000, async () => JSON.stringify(await batchOf(second)));
    const firstBatch = await h.app.services.batch((await h.app.services.device(first))!.batchId!);
    expect(firstBatch!.state).toBe('expired');
    expect(h.emulator.state.activations.created).toBe(2);
    expect((await h.app.services.device(first))!.state).toBe('failed');
  });
});
