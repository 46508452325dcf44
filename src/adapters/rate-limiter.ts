/**
 * Global AWS call rates (invariant 6): token buckets in Redis shared by every process. `take` waits until
 * the bucket grants the tokens; callers take once per call (SSM) or per chunk of calls (publishes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { TOKEN_BUCKET_LUA } from './token-bucket-lua.js';

export interface RateLimiter {
  take(bucket: string, tokens?: number): Promise<void>;
}

export interface BucketRate {
  readonly perSecond: number;
  /** tokens available at once; default one second's worth */
  readonly burst?: number;
}

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    /** key of a bucket by name, e.g. `{fleet}:rl:ssm` */
    private readonly keyOf: (bucket: string) => string,
    private readonly rates: Readonly<Record<string, BucketRate>>,
  ) {
    redis.defineCommand('fleetTokenBucket', { lua: TOKEN_BUCKET_LUA, numberOfKeys: 1 });
  }

  async take(bucket: string, tokens = 1): Promise<void> {
    const rate = this.rates[bucket];
    if (!rate || !(rate.perSecond > 0)) return;
    const burst = Math.max(rate.burst ?? rate.perSecond, tokens);
    const run = (this.redis as unknown as Record<string, (k: string, ...a: number[]) => Promise<number>>).fleetTokenBucket!;
    for (;;) {
      const wait = await run.call(this.redis, this.keyOf(bucket), rate.perSecond, burst, tokens);
      if (wait <= 0) return;
      await sleep(Math.min(wait, 1_000));
    }
  }
}
