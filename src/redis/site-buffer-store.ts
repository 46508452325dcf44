/** Per-site buffers `P:buf:<site>`, their cut times `P:due`, and the cut script. */
import type { RedisConnection } from './redis-connection.js';
import type { Keys } from './keys.js';
import type { RedisScripts } from './redis-scripts.js';

export interface CutInput {
  readonly siteId: string;
  readonly batchId: string;
  readonly region: string;
  readonly maxBatchSize: number;
  readonly batchWindowMs: number;
}

export class SiteBufferStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: Keys,
    private readonly scripts: RedisScripts,
  ) {}

  /** Sites whose buffer is full or whose window has passed. */
  dueSites(now: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.due, '-inf', String(now), 'LIMIT', 0, limit);
  }

  /** When the earliest buffer falls due (null: no buffer holds devices). */
  async nextDueAt(): Promise<number | null> {
    const [, score] = await this.redis.zrange(this.keys.due, '0', '0', 'WITHSCORES');
    return score === undefined ? null : Number(score);
  }

  /** Cuts one batch when full or due; returns its size (0: nothing cut, the batch id is unused). */
  async cut(input: CutInput, now: number): Promise<number> {
    const args = [this.keys.root, input.siteId, input.maxBatchSize, now, input.batchId, input.region, input.batchWindowMs];
    return (await this.scripts.run('fleetCut', this.keys.due, args)) as number;
  }

  buffered(siteId: string): Promise<number> {
    return this.redis.llen(this.keys.buffer(siteId));
  }

  async nextCutAt(siteId: string): Promise<number | null> {
    const score = await this.redis.zscore(this.keys.due, siteId);
    return score === null ? null : Number(score);
  }
}
