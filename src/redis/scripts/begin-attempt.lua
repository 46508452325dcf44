--[[
  Records a CreateActivation attempt before it is made (so a lost answer is looked for next time). Only an
  `open`, `creating` or `blocked` batch can start an attempt; a retried attempt stays `creating`.

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  now (ms)
  Output:
    the attempt number, or 0 when the batch is past that (another worker finished it)
]]
-- transitions: batch open->creating, blocked->creating
--- @include "prelude"
local b, now = ARGV[2], tonumber(ARGV[3])
local st = redis.call('HGET', KEYS[1], BATCH.state)
if st ~= 'open' and st ~= 'creating' and st ~= 'blocked' then return 0 end
if st ~= 'creating' then batchState(b, 'creating', now) end
redis.call('HDEL', KEYS[1], BATCH.blockedReason)
return redis.call('HINCRBY', KEYS[1], BATCH.attempts, 1)
