/** Every key and value matching a pattern, as text (strings, hashes, lists, sets, zsets, streams): what secret searches read. */
import type { Redis } from 'ioredis';

export async function redisDump(redis: Redis, pattern: string): Promise<string> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2_000);
    cursor = next;
    if (keys.length === 0) continue;
    // two round trips per page (types, then values), not two per key: the dump runs while a pipeline is busy
    const types = ((await redis.pipeline(keys.map((k) => ['type', k])).exec()) ?? []).map(([, t]) => String(t));
    const reads = keys.map((key, i): [string, ...string[]] => {
      switch (types[i]) {
        case 'string':
          return ['get', key];
        case 'hash':
          return ['hgetall', key];
        case 'list':
          return ['lrange', key, '0', '-1'];
        case 'set':
          return ['smembers', key];
        case 'zset':
          return ['zrange', key, '0', '-1', 'WITHSCORES'];
        case 'stream':
          return ['xrange', key, '-', '+'];
        default:
          return ['exists', key];
      }
    });
    const values = (await redis.pipeline(reads).exec()) ?? [];
    keys.forEach((key, i) => {
      out.push(key);
      const [, value] = values[i] ?? [null, null];
      if (types[i] === 'string') out.push(typeof value === 'string' ? value : '');
      else if (types[i] === 'hash' || types[i] === 'list' || types[i] === 'set' || types[i] === 'zset' || types[i] === 'stream') out.push(JSON.stringify(value));
    });
  } while (cursor !== '0');
  return out.join('\n');
}
