--[[
  Every device of an active batch registered (or left it): `completed`, code deleted, unused quota back.

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  now (ms)
  Output:
    1 done, 0 not (still devices left / not active)
]]
-- transitions: batch active->completed
--- @include "prelude"
local b, now = ARGV[2], tonumber(ARGV[3])
local f = redis.call('HMGET', KEYS[1], BATCH.state, BATCH.left)
if f[1] ~= 'active' or tonumber(f[2] or '0') > 0 then return 0 end
redis.call('HDEL', KEYS[1], BATCH.code)
batchState(b, 'completed', now)
releaseQuota(b)
redis.call('ZREM', key(SEG.expiries), b)
redis.call('ZREM', key(SEG.acked), b)
redis.call('DEL', key(SEG.batchAcked, b))
return 1
