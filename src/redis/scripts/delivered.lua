--[[
  Credentials published: these devices of the batch become `delivered` (a redelivery to a `delivered` one
  only moves its delivery time). A device that acked meanwhile (fast devices do) stays as it is.

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  now (ms)
    ARGV[4…] deviceIds
  Output:
    how many changed state
]]
-- transitions: device activated->delivered
--- @include "prelude"
local b, now = ARGV[2], tonumber(ARGV[3])
local n = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local f = redis.call('HMGET', devKey(id), DEVICE.state, DEVICE.batch, DEVICE.site)
  if f[1] == 'activated' and f[2] == b then
    devState(id, f[3], 'activated', 'delivered', now)
    n = n + 1
  elseif f[1] == 'delivered' and f[2] == b then
    redis.call('HSET', devKey(id), TS.delivered, now)
  end
end
return n
