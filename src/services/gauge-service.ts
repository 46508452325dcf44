/** Scrape-time gauges: devices and batches per state (from the exact counts in Redis), queue depths. */
import type { Queue } from 'bullmq';
import type { Metrics } from '../adapters/metrics.js';
import { DEVICE_STATES } from '../domain/device-state.js';
import type { BatchStore } from '../redis/batch-store.js';
import type { DeviceStore } from '../redis/device-store.js';
import type { TagStore } from '../redis/tag-store.js';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

export class GaugeService {
  constructor(
    private readonly siteIds: readonly string[],
    private readonly devices: DeviceStore,
    private readonly batches: BatchStore,
    private readonly queues: readonly Queue[],
    private readonly metrics: Metrics,
    private readonly tagQueue?: Pick<TagStore, 'backlogTotal'>,
  ) {}

  async refresh(): Promise<void> {
    const totals = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<string, number>;
    for (const siteId of this.siteIds) {
      const counts = await this.devices.counts(siteId);
      for (const s of DEVICE_STATES) totals[s]! += counts[s];
    }
    for (const s of DEVICE_STATES) this.metrics.devicesByState.set({ state: s }, totals[s]!);
    for (const [state, n] of Object.entries(await this.batches.countsByState())) this.metrics.batchesByState.set({ state }, n);
    const now = Date.now();
    for (const state of ['open', 'creating', 'active', 'blocked'] as const) {
      const oldest = await this.batches.oldestChange(state);
      this.metrics.oldestBatchSeconds.set({ state }, oldest === null ? 0 : Math.max(0, (now - oldest) / 1000));
    }
    if (this.tagQueue) this.metrics.tagBacklog.set(await this.tagQueue.backlogTotal());
    for (const q of this.queues) {
      const counts = await q.getJobCounts(...JOB_STATES);
      for (const s of JOB_STATES) this.metrics.queueDepth.set({ queue: q.name, state: s }, counts[s] ?? 0);
    }
  }
}
