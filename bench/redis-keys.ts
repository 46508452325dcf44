/** A scenario's keys go with it: the bench leaves Redis as it found it (also a shared one). */
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

export const benchPrefix = (what: string): string => `bench-${what}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
