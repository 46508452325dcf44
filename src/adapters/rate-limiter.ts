/**
 * Global AWS call rates (invariant 6): token buckets in Redis shared by every process. `take` waits until
 * the bucket grants the tokens; callers take once per call (SSM) or per chunk of calls (publishes).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import { TOKEN_BUCKET_LUA } from './token-bucket-lua.js';

export interface RateLimiter {
  take(bucket: string, tokens?: number): Promise<void>;
}

export interface BucketRate {
  readonly perSecond: number;
  /** tokens available at once; default one second's worth */
  readonly burst?: number;
}

interface Waiter {
  readonly tokens: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class RedisRateLimiter implements RateLimiter {
  /** takes asked for in this turn of the event loop, per bucket: one script call grants them together */
  private readonly gathering = new Map<string, Waiter[]>();

  constructor(
    private readonly redis: Redis | Cluster,
    /** key of a bucket by name, e.g. `{fleet}:rl:ssm` */
    private readonly keyOf: (bucket: string) => string,
    private readonly rates: Readonly<Record<string, BucketRate>>,
  ) {
    redis.defineCommand('fleetTokenBucket', { lua: TOKEN_BUCKET_LUA, numberOfKeys: 1 });
  }

  /**
   * Resolves once the bucket granted `tokens`. Takes from the same turn are summed into one Redis call
   * (up to the burst): hundreds of concurrent calls cost a few round trips, not one each (profiled: one
   * script call per AWS call was a tenth of the orchestrator's CPU), and the bucket sees the same total.
   */
  take(bucket: string, tokens = 1): Promise<void> {
    const rate = this.rates[bucket];
    if (!rate || !(rate.perSecond > 0)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let waiters = this.gathering.get(bucket);
      if (!waiters) {
        waiters = [];
        this.gathering.set(bucket, waiters);
        setImmediate(() => {
          this.gathering.delete(bucket);
          void this.grant(bucket, rate, waiters!);
        });
      }
      waiters.push({ tokens, resolve, reject });
    });
  }

  private async grant(bucket: string, rate: BucketRate, waiters: readonly Waiter[]): Promise<void> {
    const base = rate.burst ?? rate.perSecond;
    let i = 0;
    while (i < waiters.length) {
      // a group asks for no more than the burst (a single bigger take asks alone, as before)
      const group: Waiter[] = [waiters[i]!];
      let sum = waiters[i]!.tokens;
      for (i++; i < waiters.length && sum + waiters[i]!.tokens <= base; i++) {
        group.push(waiters[i]!);
        sum += waiters[i]!.tokens;
      }
      try {
        await this.takeTogether(bucket, rate.perSecond, Math.max(base, sum), sum);
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
  }

  private async takeTogether(bucket: string, perSecond: number, burst: number, tokens: number): Promise<void> {
    const run = (this.redis as unknown as Record<string, (k: string, ...a: number[]) => Promise<number>>).fleetTokenBucket!;
    for (;;) {
      const wait = await run.call(this.redis, this.keyOf(bucket), perSecond, burst, tokens);
      if (wait <= 0) return;
      await sleep(Math.min(wait, 1_000));
    }
  }
}
