import { PRELUDE } from './prelude.js';

/**
 * Re-drives failed devices of one site: back to `accepted` in the site buffer, re-batch count reset,
 * error cleared (the last one stays readable until then). KEYS[1] = due zset.
 * ARGV: root, siteId, now, window ms, maxBatchSize, deviceIds…. Returns how many were re-driven.
 */
export const REQUEUE_FAILED_LUA = PRELUDE + `
local site, now, window, max = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local n = 0
for i = 6, #ARGV do
  local id = ARGV[i]
  local dk = devKey(id)
  local f = redis.call('HMGET', dk, 'st', 'site')
  if f[1] == 'failed' and f[2] == site then
    redis.call('HDEL', dk, 'batch', 'aid', 'did', 'node', 'err')
    redis.call('HSET', dk, 'gen', 0)
    devState(id, site, 'failed', 'accepted', now)
    buffer(id, site, now, window, max)
    n = n + 1
  end
end
return n
`;
