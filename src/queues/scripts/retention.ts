import { PRELUDE } from './prelude.js';

/**
 * Removes one site's finished device records older than the retention. KEYS[1] = fin:<site> (deviceId →
 * ms it finished). ARGV: root, siteId, cutoff ms, limit. A record still registered/failed since before the
 * cutoff is deleted with its index entries, its history, its node claim, its thing name and any tag-queue entry;
 * it leaves `cnt:<site>` (counts are of records held) and is
 * added to `xcnt:<site>` (records expired, ever). An entry whose device moved on (re-enrolled, re-driven)
 * is dropped or re-scored with the device's own finish time. Returns {deleted, looked at}.
 */
export const SWEEP_DEVICES_LUA = PRELUDE + `
local site, cutoff, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, limit)
local deleted = 0
for _, id in ipairs(ids) do
  local dk = devKey(id)
  local f = redis.call('HMGET', dk, 'st', 'site', 'tReg', 'tFl', 'node', 'thing')
  local st = f[1]
  local finishedAt = nil
  if st == 'registered' then finishedAt = tonumber(f[3]) elseif st == 'failed' then finishedAt = tonumber(f[4]) end
  if f[2] ~= site or not finishedAt then
    redis.call('ZREM', KEYS[1], id)
  elseif finishedAt > cutoff then
    redis.call('ZADD', KEYS[1], finishedAt, id)
  else
    redis.call('DEL', dk, root .. ':hist:' .. id)
    local nodes = root .. ':nodes'
    if f[5] and f[5] ~= '' and redis.call('HGET', nodes, f[5]) == id then redis.call('HDEL', nodes, f[5]) end
    if f[6] and redis.call('HGET', (root .. ':things:' .. site), f[6]) == id then redis.call('HDEL', (root .. ':things:' .. site), f[6]) end
    if redis.call('ZREM', root .. ':tagq', site .. '/' .. id) == 1 then redis.call('HINCRBY', root .. ':tagn', site, -1) end
    redis.call('HINCRBY', root .. ':cnt:' .. site, st, -1)
    redis.call('HINCRBY', root .. ':xcnt:' .. site, st, 1)
    redis.call('SREM', root .. ':failed:' .. site, id)
    redis.call('ZREM', root .. ':idx:' .. site, id)
    redis.call('ZREM', KEYS[1], id)
    deleted = deleted + 1
  end
end
return {deleted, #ids}
`;

/**
 * Removes finished batches (completed, expired, failed) whose last change is older than the retention:
 * the batch hash, its device list, its set of acks to verify and its index entries. KEYS[1] = bst:completed (routes the call).
 * ARGV: root, cutoff ms, limit (per state). Returns the number of batches deleted.
 */
export const SWEEP_BATCHES_LUA = `
local root, cutoff, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local deleted = 0
for _, st in ipairs({'completed', 'expired', 'failed'}) do
  local index = root .. ':bst:' .. st
  for _, b in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', cutoff, 'LIMIT', 0, limit)) do
    local bk = root .. ':batch:' .. b
    local f = redis.call('HMGET', bk, 'st', 'site')
    if f[1] == st then
      redis.call('DEL', bk, root .. ':bdev:' .. b, root .. ':back:' .. b)
      if f[2] then redis.call('ZREM', root .. ':bidx:' .. f[2], b) end
      deleted = deleted + 1
    end
    redis.call('ZREM', index, b)
  end
end
return deleted
`;
