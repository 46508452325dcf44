--[[
  The batch's activation expired (and was deleted): `expired`, code deleted, unused quota back; each device
  not registered goes back to its site buffer (`accepted`, for a new batch) with gen+1 — or, past the
  bound, `failed` with the reason. A re-batched device's node claim goes with its node field (nothing
  else would release it: retention drops only the claim a record still names).

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  now (ms)
    ARGV[4]  maxRebatches
    ARGV[5]  window (ms)
    ARGV[6]  maxBatchSize
    ARGV[7]  reason
  Output:
    {rebatched, failed}
]]
-- transitions: batch active->expired; device activated->accepted, delivered->accepted, acked->accepted, activated->failed, delivered->failed, acked->failed
--- @include "prelude"
local b, now, maxRe, window, max, reason = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local st = redis.call('HGET', KEYS[1], BATCH.state)
if st ~= 'active' then return {0, 0} end
batchState(b, 'expired', now)
batchDone(b)
local rebatched, failed = 0, 0
for _, id in ipairs(redis.call('LRANGE', bdevKey(b), 0, -1)) do
  local dk = devKey(id)
  local f = redis.call('HMGET', dk, DEVICE.state, DEVICE.batch, DEVICE.site, DEVICE.rebatches, DEVICE.node)
  if f[2] == b and f[1] and f[1] ~= 'registered' and f[1] ~= 'failed' then
    local gen = redis.call('HINCRBY', dk, DEVICE.rebatches, 1)
    if gen > maxRe then
      redis.call('HSET', dk, DEVICE.error, reason)
      devState(id, f[3], f[1], 'failed', now)
      failed = failed + 1
    else
      if f[5] and f[5] ~= '' and redis.call('HGET', key(SEG.nodeClaims), f[5]) == id then redis.call('HDEL', key(SEG.nodeClaims), f[5]) end
      redis.call('HDEL', dk, DEVICE.batch, DEVICE.activation, DEVICE.delivery, DEVICE.node)
      devState(id, f[3], f[1], 'accepted', now)
      buffer(id, f[3], now, window, max)
      rebatched = rebatched + 1
    end
  end
end
redis.call('HSET', KEYS[1], BATCH.left, 0)
return {rebatched, failed}
