/** Deletes every key matching a pattern (a run's `{prefix}:*`), so a run leaves a shared Redis as it found it. */
import { Redis } from 'ioredis';

export async function deleteMatching(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
