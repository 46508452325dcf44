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
});
