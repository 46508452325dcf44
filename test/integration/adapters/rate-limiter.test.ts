import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../../src/adapters/rate-limiter.js';
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

  it('grants concurrent takes of one turn with one script call, and takes their sum from the bucket', async () => {
    const limiter = new RedisRateLimiter(redis, (b) => `${prefix}:${b}`, { slow: { perSecond: 1, burst: 40 } });
    const monitor = await new Redis(url).monitor();
    let calls = 0;
    let watching: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (watching = resolve));
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[1] === `${prefix}:marker`) watching();
      if (args.includes(`${prefix}:slow`) && /^eval/i.test(args[0] ?? '')) calls++;
    });
    // MONITOR sees commands only once it is on: wait until it shows a marker
    const marker = setInterval(() => void redis.get(`${prefix}:marker`), 20);
    await ready;
    clearInterval(marker);
    await Promise.all(Array.from({ length: 40 }, () => limiter.take('slow')));
    await new Promise((r) => setTimeout(r, 100));
    monitor.disconnect();
    expect(calls).toBe(1);
    // 40 of 40 taken; at 1 token/s hardly any came back since
    expect(Number(await redis.hget(`${prefix}:slow`, 'tok'))).toBeLessThan(1);
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
