/** Removes finished device and batch records older than the retention (scripts/sweep-devices.lua, sweep-batches.lua). */
import type { RedisConnection } from './redis-connection.js';
import type { Keys } from './keys.js';
import type { RedisScripts } from './redis-scripts.js';

export interface ExpiredCounts {
  readonly registered: number;
  readonly failed: number;
}

export class RetentionStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: Keys,
    private readonly scripts: RedisScripts,
  ) {}

  /** Deletes up to `limit` of the site's devices finished at or before `cutoff` (ms). */
  async sweepDevices(siteId: string, cutoff: number, limit: number): Promise<{ deleted: number; lookedAt: number }> {
    const args = [this.keys.root, siteId, cutoff, limit];
    const [deleted, lookedAt] = (await this.scripts.run('fleetSweepDevices', this.keys.finished(siteId), args)) as [number, number];
    return { deleted, lookedAt };
  }

  /** Deletes up to `limit` finished batches per final state whose last change is at or before `cutoff`. */
  async sweepBatches(cutoff: number, limit: number): Promise<number> {
    return (await this.scripts.run('fleetSweepBatches', this.keys.batchesIn('completed'), [this.keys.root, cutoff, limit])) as number;
  }

  /** Records of the site removed by retention so far, per final state. */
  async expiredCounts(siteId: string): Promise<ExpiredCounts> {
    const h = await this.redis.hgetall(this.keys.expiredCounts(siteId));
    return { registered: Number(h.registered ?? 0), failed: Number(h.failed ?? 0) };
  }

  /** Devices of the site that finished (registered or failed) since `since` (ms) and are still held. */
  finishedSince(siteId: string, since: number): Promise<number> {
    return this.redis.zcount(this.keys.finished(siteId), String(since), '+inf');
  }
}
