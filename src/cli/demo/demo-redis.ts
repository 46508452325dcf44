/**
 * Redis for the demo: the configured one if it answers; else a private `redis-server` on a free port,
 * removed at exit; else one clear line saying how to get Redis.
 */
import { RedisServerProcess, redisAnswers } from '../../devtools/redis-server-process.js';

export interface DemoRedis {
  readonly url: string;
  /** where it came from, for the report */
  readonly origin: 'configured' | 'private';
  close(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

export async function provideDemoRedis(configuredUrl: string): Promise<DemoRedis> {
  if (await redisAnswers(configuredUrl)) return { url: configuredUrl, origin: 'configured', close: async () => undefined };
  try {
    const server = await RedisServerProcess.start();
    return { url: server.url, origin: 'private', close: () => server.stop() };
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RedisUnavailableError(
      `no Redis answers at ${configuredUrl}${missing ? ' and redis-server is not on PATH' : ` and a private redis-server could not start (${(err as Error).message})`}: ` +
        'start one with `docker compose up -d redis` or install your distribution\'s redis-server package (e.g. `apt-get install redis-server`), or set REDIS_URL',
    );
  }
}
