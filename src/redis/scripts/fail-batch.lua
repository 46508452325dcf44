--[[
  The batch failed for good (permanent AWS error, attempts exhausted): the batch and each of its devices
  still in flight become `failed` with the reason; its quota reservation goes back. Only a batch without a
  live activation can fail (`open`, `creating`, `blocked`): an `active` one ends `completed` or `expired`,
  which delete its activation, so failing it here would leave a live activation nobody deletes.

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  now (ms)
    ARGV[4]  reason
  Output:
    the number of devices failed, or -1 when the batch is not in a state that can fail
]]
-- transitions: batch open->failed, creating->failed, blocked->failed; device batched->failed
--- @include "prelude"
local b, now, reason = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local st = redis.call('HGET', KEYS[1], BATCH.state)
if st ~= 'open' and st ~= 'creating' and st ~= 'blocked' then return -1 end
redis.call('HSET', KEYS[1], BATCH.error, reason)
redis.call('HDEL', KEYS[1], BATCH.code, BATCH.blockedReason)
batchState(b, 'failed', now)
releaseQuota(b)
redis.call('ZREM', key(SEG.expiries), b)
redis.call('ZREM', key(SEG.acked), b)
local n = 0
for _, id in ipairs(redis.call('LRANGE', bdevKey(b), 0, -1)) do
  local f = redis.call('HMGET', devKey(id), DEVICE.state, DEVICE.batch, DEVICE.site)
  if f[2] == b and f[1] and f[1] ~= 'registered' and f[1] ~= 'failed' then
    redis.call('HSET', devKey(id), DEVICE.error, reason)
    devState(id, f[3], f[1], 'failed', now)
    n = n + 1
  end
end
redis.call('HSET', KEYS[1], BATCH.left, 0)
return n
