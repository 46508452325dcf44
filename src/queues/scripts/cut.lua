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
  local f = redis.call('HMGET', devKey(id), 'st', 'site')
  if f[1] == 'accepted' and f[2] == site then
    n = n + 1
    redis.call('HSET', devKey(id), 'batch', b)
    redis.call('HDEL', devKey(id), 'aid', 'did', 'node', 'err', 'tag', 'tTag', 'tatt')
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
  local t = tonumber(redis.call('HGET', devKey(head), 'tBuf') or now) or now
  redis.call('ZADD', KEYS[1], t + window, site)
end
if n == 0 then return 0 end
redis.call('HSET', batchKey(b), 'site', site, 'size', n, 'left', n, 'reg', 0, 'region', region, 'att', 0, 'thr', 0, 'tCut', now)
batchState(b, 'open', now)
return n
