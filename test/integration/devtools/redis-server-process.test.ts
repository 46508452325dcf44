import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisServerProcess, redisAnswers } from '../../../src/devtools/redis-server-process.js';

describe('RedisServerProcess', () => {
  let server: RedisServerProcess | undefined;
  afterAll(async () => server?.stop());

  it('keeps fsynced writes across a SIGKILL and restart with AOF', async () => {
    server = await RedisServerProcess.start({ appendOnly: true });
    const before = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await before.set('survives', 'yes');
    // appendfsync everysec: wait past one fsync so the write is on disk
    await new Promise((r) => setTimeout(r, 1500));
    before.disconnect();
    const firstPid = server.pid;
    await server.restart();
    expect(server.pid).not.toBe(firstPid);
    const after = new Redis(server.url, { maxRetriesPerRequest: 1 });
    expect(await after.get('survives')).toBe('yes');
    after.disconnect();
  });

  it('tells a port with no Redis from one with Redis', async () => {
    expect(await redisAnswers(server!.url)).toBe(true);
    const dead = await RedisServerProcess.start();
    const url = dead.url;
    await dead.stop();
    expect(await redisAnswers(url, 300)).toBe(false);
  });
});
