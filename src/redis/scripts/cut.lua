--[[
  Cuts one batch off a site buffer when it is full or due. Pops at most maxBatchSize ids; ids that are no
  longer `accepted` at this site (re-enrolled twice, moved) are dropped. The batch is new: `open`.

  Input:
    KEYS[1]  due zset
    ARGV[1]  key root
    ARGV[2]  siteId
    ARGV[3]  maxBatchSize
    ARGV[4]  now (ms)
    ARGV[5]  batchId
    ARGV[6]  region
    ARGV[7]  window (ms)
  Output:
    the batch size (0: nothing cut)
]]
-- transitions: device accepted->batched; batch new->open
--- @include "prelude"
local site, max, now, b, region, window = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6], tonumber(ARGV[7])
local buf = key(SEG.buffer, site)
local len = redis.call('LLEN', buf)
if len == 0 then
  redis.call('ZREM', KEYS[1], site)
  return 0
end
local dueAt = redis.call('ZSCORE', KEYS[1], site)
if len < max then
  if not dueAt then
    redis.call('ZADD', KEYS[1], now + window, site)
    return 0
  end
  if tonumber(dueAt) > now then return 0 end
end
local ids = redis.call('LPOP', buf, max)
local n = 0
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', devKey(id), DEVICE.state, DEVICE.site)
  if f[1] == 'accepted' and f[2] == site then
    n = n + 1
    redis.call('HSET', devKey(id), DEVICE.batch, b)
    redis.call('HDEL', devKey(id), DEVICE.activation, DEVICE.delivery, DEVICE.node, DEVICE.error, DEVICE.tag, DEVICE.taggedAt, DEVICE.tagRetries)
    devState(id, site, 'accepted', 'batched', now)
    redis.call('RPUSH', bdevKey(b), id)
  end
end
-- the next cut: a window after the device now at the head, at once if still full
local rest = redis.call('LLEN', buf)
if rest == 0 then
  redis.call('ZREM', KEYS[1], site)
elseif rest >= max then
  redis.call('ZADD', KEYS[1], now, site)
else
  local head = redis.call('LINDEX', buf, 0)
  local t = tonumber(redis.call('HGET', devKey(head), DEVICE.buffered) or now) or now
  redis.call('ZADD', KEYS[1], t + window, site)
end
if n == 0 then return 0 end
redis.call('HSET', batchKey(b), BATCH.site, site, BATCH.size, n, BATCH.left, n, BATCH.registered, 0, BATCH.region, region, BATCH.attempts, 0, BATCH.throttles, 0, BATCH.cutAt, now)
batchState(b, 'open', now)
return n
