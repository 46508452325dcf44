--[[
  Reserves the batch's size in its Region's managed-node quota, once per batch. With no room the batch is
  `blocked` with why = quota, visibly, until reconcile sees room and re-drives it.

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  quota (-1 = unlimited)
    ARGV[4]  now (ms)
  Output:
    1 reserved (or already), 0 no room
]]
-- transitions: batch open->blocked, creating->blocked
--- @include "prelude"
local b, limit, now = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local f = redis.call('HMGET', KEYS[1], BATCH.quota, BATCH.size, BATCH.region, BATCH.state)
if tonumber(f[1] or '0') > 0 then return 1 end
local size = tonumber(f[2])
if limit >= 0 then
  local used = tonumber(redis.call('GET', key(SEG.quota, f[3])) or '0')
  if used + size > limit then
    if f[4] ~= 'blocked' then batchState(b, 'blocked', now) end
    redis.call('HSET', KEYS[1], BATCH.blockedReason, 'quota')
    return 0
  end
end
redis.call('INCRBY', key(SEG.quota, f[3]), size)
redis.call('HSET', KEYS[1], BATCH.quota, size)
return 1
