import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LEASE_MS, RedisRateLimiter } from '../../../src/adapters/rate-limiter.js';
import { testScope } from '../../support/test-run.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `{${testScope('rl-test')}}`;

describe('RedisRateLimiter', () => {
  const redis = new Redis(url);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  /**
   * Token bucket script calls made while `work` runs: a spy on the client's script command, which still
   * calls Redis. (Not MONITOR: ioredis can take a command logged by another client for a reply of its own
   * — "Command queue state error" — on a Redis shared with other test files.)
   */
  async function scriptCalls(work: () => Promise<void>): Promise<number> {
    const spy = vi.spyOn(redis as unknown as Record<'fleetTokenBucket', (...args: unknown[]) => Promise<unknown>>, 'fleetTokenBucket');
    try {
      await work();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  it('grants concurrent takes of one turn with one script call, and takes their sum from the bucket', async () => {
    const limiter = new RedisRateLimiter(redis, (b) => `${prefix}:${b}`, { slow: { perSecond: 1, burst: 40 } });
    const calls = await scriptCalls(async () => {
      await Promise.all(Array.from({ length: 40 }, () => limiter.take('slow')));
    });
    expect(calls).toBe(1);
    // 40 of 40 taken; at 1 token/s hardly any came back since
    expect(Number(await redis.hget(`${prefix}:slow`, 'tok'))).toBeLessThan(1);
  });

  it(`leases ${LEASE_MS} ms worth of tokens with a grant: the takes of the next turns need no script call`, async () => {
    // 2,000/s: a grant also leases 100 tokens, taken from the bucket
    const limiter = new RedisRateLimiter(redis, (b) => `${prefix}:${b}`, { fast: { perSecond: 2_000 } });
    const calls = await scriptCalls(async () => {
      // one take per turn, 40 turns: one script call, or a few if this process stalls past a lease
      for (let i = 0; i < 40; i++) await limiter.take('fast');
    });
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThan(10);
    // what was leased came out of the shared bucket: 2,000 at the start, 1 + 100 taken, some refilled since
    expect(Number(await redis.hget(`${prefix}:fast`, 'tok'))).toBeLessThan(2_000);
  });

  it('drops the lease on a throttle: the next take asks Redis', async () => {
    const limiter = new RedisRateLimiter(redis, (b) => `${prefix}:${b}`, { lease: { perSecond: 2_000 } });
    const calls = await scriptCalls(async () => {
      await limiter.take('lease');
      // the lease (100 tokens, 50 ms) would grant this one at once, were it kept
      limiter.report('lease', 'throttled');
      await limiter.take('lease');
    });
    // the grant, then the take after the throttle (the cut empties the bucket: it may wait and ask again)
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(limiter.currentRates().lease).toBeLessThan(2_000);
  });

  it('never waits for the lease: the extra is only what the bucket holds past the take', async () => {
    // a burst of 3 at 2,000/s: the take of 3 empties it; the 100 extra asked for are not there
    const limiter = new RedisRateLimiter(redis, (b) => `${prefix}:${b}`, { small: { perSecond: 2_000, burst: 3 } });
    // granted by the first call: waiting for the extra would have taken a second one
    expect(await scriptCalls(() => limiter.take('small', 3))).toBe(1);
    // what the bucket kept at that call: nothing left, and nothing leased beyond it
    const kept = Number(await redis.hget(`${prefix}:small`, 'tok'));
    expect(kept).toBeGreaterThanOrEqual(0);
    expect(kept).toBeLessThan(1);
  });

  it('does not grant more than the bucket holds: a take beyond it waits', async () => {
    const limiter = new RedisRateLimiter(redis, (b) => `${prefix}:${b}`, { tiny: { perSecond: 1, burst: 3 } });
    // a lower bound on when each grant came: load can only make grants later, never earlier
    const start = Date.now();
    const grantedAt = await Promise.all(Array.from({ length: 5 }, () => limiter.take('tiny').then(() => Date.now() - start)));
    grantedAt.sort((a, b) => a - b);
    // the burst of 3 at once; the 4th and 5th only as the bucket refills at 1 token/s
    expect(grantedAt[3]).toBeGreaterThanOrEqual(950);
    expect(grantedAt[4]).toBeGreaterThanOrEqual(1_950);
    expect(grantedAt[2]).toBeLessThan(grantedAt[3]!);
  });

  it('a throttle cuts the bucket rate below its ceiling, once per cool-down, for every process sharing the bucket', async () => {
    const other = new Redis(url);
    try {
      const a = new RedisRateLimiter(redis, (b) => `${prefix}:${b}`, { cut: { perSecond: 100 } });
      const b = new RedisRateLimiter(other, (k) => `${prefix}:${k}`, { cut: { perSecond: 100 } });
      await a.take('cut');
      expect(a.currentRates().cut).toBe(100);
      // no second of successes known yet: the cut halves
      a.report('cut', 'throttled');
      await a.take('cut');
      expect(a.currentRates().cut).toBe(50);
      // another process sees the same rate; throttles within the cool-down (calls sent at the old rate) cut no
      // further: the last cut is pinned in the future here, so that a slow machine cannot outlast the 100 ms
      const [sec] = await redis.time();
      await redis.hset(`${prefix}:cut`, 'cut', (Number(sec) + 60) * 1000);
      b.report('cut', 'throttled');
      await b.take('cut');
      expect(b.currentRates().cut).toBe(50);
      await redis.hset(`${prefix}:cut`, 'cut', 0);
      b.report('cut', 'throttled');
      await b.take('cut');
      expect(b.currentRates().cut).toBe(25);
    } finally {
      other.disconnect();
    }
  });

  it('a throttle cuts to three quarters of the successes of the last second; successes probe back up to the ceiling, never past it', async () => {
    const rates: number[] = [];
    const limiter = new RedisRateLimiter(redis, (b) => `${prefix}:${b}`, { probe: { perSecond: 40 } }, (_b, r) => rates.push(r));
    await limiter.take('probe');
    // 12 successes in the first window, then a throttle a second later: the bucket learned ~12/s
    for (let i = 0; i < 12; i++) limiter.report('probe', 'ok');
    await limiter.take('probe');
    await new Promise((r) => setTimeout(r, 1_050));
    limiter.report('probe', 'throttled');
    await limiter.take('probe');
    const cut = limiter.currentRates().probe!;
    expect(cut).toBeGreaterThanOrEqual(4); // 12 over a longer second on a loaded machine
    expect(cut).toBeLessThanOrEqual(9.01);
    // successes for a while: the rate grows (at least 0.5/s per second), never above the ceiling
    await new Promise((r) => setTimeout(r, 600));
    limiter.report('probe', 'ok');
    await limiter.take('probe');
    expect(limiter.currentRates().probe!).toBeGreaterThan(cut);
    await redis.hset(`${prefix}:probe`, 'rate', '39.9', 'inc', '0');
    limiter.report('probe', 'ok');
    await limiter.take('probe');
    expect(limiter.currentRates().probe).toBe(40);
    expect(rates.at(-1)).toBe(40);
  });
});
