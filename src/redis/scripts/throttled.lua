--[[
  A throttled call created nothing: the attempt is given back (throttling never uses attempts).

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root (unused)
  Output:
    the batch's throttle count (drives the delay)
]]
-- transitions: none
--- @include "layout"
if tonumber(redis.call('HGET', KEYS[1], BATCH.attempts) or '0') > 0 then redis.call('HINCRBY', KEYS[1], BATCH.attempts, -1) end
return redis.call('HINCRBY', KEYS[1], BATCH.throttles, 1)
