--[[
  Every ack of the batch up to the version seen is verified: drop the batch from the to-verify set, unless
  a newer ack came meanwhile.

  Input:
    KEYS[1]  acked zset (`ackd`)
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  ack version (`ackv`) seen before verifying
  Output:
    1 dropped, 0 not
]]
-- transitions: none
--- @include "keys"
local b, v = ARGV[2], ARGV[3]
if (redis.call('HGET', batchKey(b), BATCH.ackVersion) or '0') == v then return redis.call('ZREM', KEYS[1], b) end
return 0
