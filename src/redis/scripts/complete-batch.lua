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
batchState(b, 'completed', now)
batchDone(b)
return 1
