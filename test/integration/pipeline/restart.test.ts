/**
 * Graceful stop and recovery: stop() mid-run leaves no job running or stalled; a batch whose job was lost
 * (the process died between the cut and adding its job) is found by reconcile and activated; after a
 * restart every device registers, with still the minimum number of activations.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchStore } from '../../../src/redis/batch-store.js';
import { DeviceStore } from '../../../src/redis/device-store.js';
import { QUEUE } from '../../../src/redis/queue-names.js';
import { RedisScripts } from '../../../src/redis/redis-scripts.js';
import { SiteBufferStore } from '../../../src/redis/site-buffer-store.js';
import { PipelineHarness } from './support/pipeline-harness.js';

describe('pipeline: graceful stop, lost jobs, restart', () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await PipelineHarness.start({ sites: [{ id: 'r-a', maxBatchSize: 100 }], batchWindowMs: 300 });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stops without leaving jobs behind and finishes everything after a restart', async () => {
    const events = h.events('r-a', 400);
    await h.enroll(events);
    await h.waitFor(() => h.observer.received.length > 0, 20_000, () => 'no credentials yet');
    await h.app.stop();

    const queues = Object.values(QUEUE).map((name) => new Queue(name, { connection: h.redis, prefix: h.keys.queuePrefix }));
    try {
      for (const q of queues) expect(await q.getJobCounts('active')).toEqual({ active: 0 });
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }

    // while it is down: devices accepted and cut into a batch whose activation job never got added
    const scripts = new RedisScripts(h.redis);
    const devices = new DeviceStore(h.redis, h.keys, scripts);
    const buffers = new SiteBufferStore(h.redis, h.keys, scripts);
    const lost = h.events('r-a', 30, 'lost');
    const now = Date.now();
    await devices.intake('job-lost', lost, () => ({ batchWindowMs: 0, maxBatchSize: 100 }), now);
    expect(await buffers.cut({ siteId: 'r-a', batchId: 'r-a-lost-1', region: 'us-east-1', maxBatchSize: 100, batchWindowMs: 0 }, now)).toBe(30);
    expect(await new BatchStore(h.redis, h.keys, scripts).get('r-a-lost-1')).toMatchObject({ state: 'open', size: 30 });

    await h.restartApp(300);
    const total = events.length + lost.length;
    await h.waitFor(() => h.allSettled(['r-a'], total), 60_000, () => h.describeCounts(['r-a']));
    await h.waitFor(async () => (await h.app.services.batch('r-a-lost-1'))?.state === 'completed', 10_000, async () => JSON.stringify(await h.app.services.batch('r-a-lost-1')));
    expect(await h.app.services.batch('r-a-lost-1')).toMatchObject({ state: 'completed', size: 30 });
    expect(h.emulator.state.activations.created).toBe(5);
    await h.waitFor(() => h.emulator.state.activations.live === 0, 10_000, () => 'activation still live');
  });
});
