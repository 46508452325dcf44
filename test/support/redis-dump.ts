/** Every key and value matching a pattern, as text (strings, hashes, lists, sets, zsets, streams): what secret searches read. */
import type { Redis } from 'ioredis';

export async function redisDump(redis: Redis, pattern: string): Promise<string> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 2_000);
    cursor = next;
    // two pipelined round trips per page (types, then values): a busy test process answers thousands of keys in seconds
    const types = ((await keys.reduce((p, k) => p.type(k), redis.pipeline()).exec()) ?? []).map(([, t]) => String(t));
    const reads = redis.pipeline();
    keys.forEach((key, i) => {
      const type = types[i];
      if (type === 'string') reads.get(key);
      else if (type === 'hash') reads.hgetall(key);
      else if (type === 'list') reads.lrange(key, 0, -1);
      else if (type === 'set') reads.smembers(key);
      else if (type === 'zset') reads.zrange(key, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') reads.xrange(key, '-', '+');
      else reads.echo('');
    });
    const values = (await reads.exec()) ?? [];
    keys.forEach((key, i) => {
      const v = values[i]?.[1];
      out.push(key, types[i] === 'string' ? String(v ?? '') : types[i] === 'none' ? '' : JSON.stringify(v));
    });
  } while (cursor !== '0');
  return out.join('\n');
}
