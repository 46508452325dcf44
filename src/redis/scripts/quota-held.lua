--[[
  What fleet-enroll holds of a Region's node quota. Walks the batches that can hold a reservation: few on
  the standard tier, the only one that asks.

  Input:
    KEYS[1]  the Region's quota counter
    ARGV[1]  key root
    ARGV[2]  region
  Output:
    {used, pending}: used = the counter (reservations of live batches + nodes registered by finished ones);
    pending = reserved by live batches and not registered yet
]]
-- transitions: none
--- @include "keys"
local region = ARGV[2]
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local pending = 0
for _, st in ipairs({'open', 'creating', 'active', 'blocked'}) do
  for _, b in ipairs(redis.call('ZRANGE', key(SEG.batchesIn, st), 0, -1)) do
    local f = redis.call('HMGET', batchKey(b), BATCH.quota, BATCH.registered, BATCH.region)
    local q = tonumber(f[1] or '0') or 0
    if q > 0 and f[3] == region then pending = pending + q - (tonumber(f[2] or '0') or 0) end
  end
end
return {used, pending}
