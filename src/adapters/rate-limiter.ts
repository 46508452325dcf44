/**
 * Global AWS call rates (invariant 6): token buckets in Redis shared by every process. `take` waits until
 * the bucket grants the tokens; callers take once per call (SSM) or per chunk of calls (publishes).
 * Configured rates are ceilings: callers `report` each call's outcome and the bucket's rate adapts below
 * the ceiling (cut on throttling, probing upward while calls succeed; see token-bucket.lua), the same
 * rate for every process because it lives in Redis with the tokens.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import { loadLuaScript } from '../lua/script-loader.js';
import { TurnGatherer } from './turn-gatherer.js';

const TOKEN_BUCKET_LUA = loadLuaScript({ dir: new URL('./', import.meta.url) }, 'token-bucket');

export type CallOutcome = 'ok' | 'throttled';

export interface RateLimiter {
  take(bucket: string, tokens?: number): Promise<void>;
  /** what AWS answered a call made under `bucket`: the bucket's rate adapts to it */
  report(bucket: string, outcome: CallOutcome): void;
}

export interface BucketRate {
  /** the ceiling: the bucket never grants faster */
  readonly perSecond: number;
  /** tokens available at once at the ceiling; default one second's worth (scaled down with the rate) */
  readonly burst?: number;
}

interface Waiter {
  readonly tokens: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

type BucketScript = (key: string, ...args: number[]) => Promise<[number, number, number]>;

/**
 * A grant also asks for this long's worth of tokens at the current rate, if the bucket holds them: kept here,
 * they grant the takes that follow without a Redis call (one call per ~50 ms per bucket and process instead of
 * one per turn). What is not used by then is dropped: a lease is taken from the shared bucket, so the rate
 * across processes still never exceeds it; a throttle drops it at once.
 */
export const LEASE_MS = 50;

interface Lease {
  tokens: number;
  readonly until: number;
}

export class RedisRateLimiter implements RateLimiter {
  /** takes asked for in this turn of the event loop, per bucket: one script call grants them together */
  private readonly gathering = new Map<string, TurnGatherer<Waiter>>();
  /** outcomes reported since the last script call, per bucket: they ride along with the next one */
  private readonly outcomes = new Map<string, { ok: number; throttled: number }>();
  /** each bucket's current rate, as Redis last said */
  private readonly current = new Map<string, number>();
  /** tokens granted beyond the takes that asked, per bucket, until they lapse */
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly redis: Redis | Cluster,
    /** key of a bucket by name, e.g. `{fleet}:rl:ssm` */
    private readonly keyOf: (bucket: string) => string,
    private readonly rates: Readonly<Record<string, BucketRate>>,
    /** told each bucket's rate whenever Redis answers (the /metrics gauge) */
    private readonly onRate?: (bucket: string, perSecond: number) => void,
  ) {
    redis.defineCommand('fleetTokenBucket', { lua: TOKEN_BUCKET_LUA, numberOfKeys: 1 });
  }

  /**
   * Resolves once the bucket granted `tokens`. Takes from the same turn are summed into one Redis call
   * (up to the burst at the current rate): hundreds of concurrent calls cost a few round trips, not one each
   * (bench/README.md, "Bottlenecks found and fixed"), and the bucket sees the same total.
   */
  take(bucket: string, tokens = 1): Promise<void> {
    const rate = this.rates[bucket];
    if (!rate || !(rate.perSecond > 0)) return Promise.resolve();
    const lease = this.leases.get(bucket);
    if (lease && lease.tokens >= tokens && Date.now() < lease.until) {
      lease.tokens -= tokens;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.gathererOf(bucket, rate).add({ tokens, resolve, reject }));
  }

  private gathererOf(bucket: string, rate: BucketRate): TurnGatherer<Waiter> {
    let gatherer = this.gathering.get(bucket);
    if (!gatherer) {
      gatherer = new TurnGatherer((waiters) => void this.grant(bucket, rate, waiters));
      this.gathering.set(bucket, gatherer);
    }
    return gatherer;
  }

  report(bucket: string, outcome: CallOutcome): void {
    if (outcome === 'ok') this.addOutcomes(bucket, 1, 0);
    else {
      this.addOutcomes(bucket, 0, 1);
      // tokens leased at the rate AWS just refused would be a burst it refuses again
      this.leases.delete(bucket);
    }
  }

  private addOutcomes(bucket: string, ok: number, throttled: number): void {
    if (!this.rates[bucket]) return;
    const o = this.outcomes.get(bucket) ?? { ok: 0, throttled: 0 };
    this.outcomes.set(bucket, { ok: o.ok + ok, throttled: o.throttled + throttled });
  }

  /** Each bucket's current rate (calls/s) as last seen; the ceiling for a bucket not used yet. */
  currentRates(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [bucket, rate] of Object.entries(this.rates)) out[bucket] = this.current.get(bucket) ?? rate.perSecond;
    return out;
  }

  private async grant(bucket: string, rate: BucketRate, waiters: readonly Waiter[]): Promise<void> {
    const atCeiling = rate.burst ?? rate.perSecond;
    let i = 0;
    while (i < waiters.length) {
      // a group asks for no more than the burst at the current rate (a single bigger take asks alone)
      const base = Math.max(1, Math.floor((atCeiling * (this.current.get(bucket) ?? rate.perSecond)) / rate.perSecond));
      const group: Waiter[] = [waiters[i]!];
      let sum = waiters[i]!.tokens;
      for (i++; i < waiters.length && sum + waiters[i]!.tokens <= base; i++) {
        group.push(waiters[i]!);
        sum += waiters[i]!.tokens;
      }
      try {
        await this.takeTogether(bucket, rate.perSecond, Math.max(atCeiling, sum), sum);
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
  }

  private async takeTogether(bucket: string, ceiling: number, burst: number, tokens: number): Promise<void> {
    const run = (this.redis as unknown as Record<string, BucketScript>).fleetTokenBucket!;
    for (;;) {
      const o = this.outcomes.get(bucket);
      this.outcomes.delete(bucket);
      let answer: [number, number, number];
      const rateNow = this.current.get(bucket) ?? ceiling;
      const extra = Math.floor((rateNow * LEASE_MS) / 1000);
      try {
        answer = await run.call(this.redis, this.keyOf(bucket), ceiling, burst, tokens, o?.ok ?? 0, o?.throttled ?? 0, extra);
      } catch (err) {
        // the outcomes were not counted: keep them for the next call
        if (o) this.addOutcomes(bucket, o.ok, o.throttled);
        throw err;
      }
      const [wait, milli, leased] = answer;
      const perSecond = Number(milli) / 1000;
      this.current.set(bucket, perSecond);
      this.onRate?.(bucket, perSecond);
      if (Number(leased) > 0) this.leases.set(bucket, { tokens: Number(leased), until: Date.now() + LEASE_MS });
      if (Number(wait) <= 0) return;
      await sleep(Math.min(Number(wait), 1_000));
    }
  }
}
