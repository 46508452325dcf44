--[[
  Tagging ended for these members: `d` (tagged, with the time) or `x` (refused for good). A device whose
  node changed meanwhile (re-enrolled) keeps its new state.

  Input:
    KEYS[1]  tag zset (`tagq`)
    ARGV[1]  key root
    ARGV[2]  now (ms)
    ARGV[3]  outcome (d | x)
    ARGV[4…] pairs: member, managedNodeId tagged
  Output:
    members finished
]]
-- transitions: none
--- @include "tag"
local now, outcome = tonumber(ARGV[2]), ARGV[3]
local n = 0
for i = 4, #ARGV - 1, 2 do
  local m, node = ARGV[i], ARGV[i + 1]
  if tagDrop(m) then
    n = n + 1
    local dk = devKey(tagDevice(m))
    local f = redis.call('HMGET', dk, DEVICE.tag, DEVICE.node)
    if f[1] == 'p' and f[2] == node then
      if outcome == 'd' then redis.call('HSET', dk, DEVICE.tag, 'd', DEVICE.taggedAt, now) else redis.call('HSET', dk, DEVICE.tag, 'x') end
      redis.call('HDEL', dk, DEVICE.tagRetries)
    end
  end
end
return n
