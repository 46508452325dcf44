--[[
  Tagging of these members failed for now: each is due again at its own time, its retry count up by one.

  Input:
    KEYS[1]  tag zset (`tagq`)
    ARGV[1]  key root
    ARGV[2…] pairs: member, due (ms)
  Output:
    members rescheduled
]]
-- transitions: none
--- @include "tag"
local n = 0
for i = 2, #ARGV - 1, 2 do
  local m = ARGV[i]
  if redis.call('ZSCORE', KEYS[1], m) then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[i + 1]), m)
    redis.call('HINCRBY', devKey(tagDevice(m)), DEVICE.tagRetries, 1)
    n = n + 1
  end
end
return n
