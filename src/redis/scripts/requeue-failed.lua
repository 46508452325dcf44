--[[
  Re-drives failed devices of one site: back to `accepted` in the site buffer, so they go into a new batch
  with a new activation (their failed batch stays `failed`); re-batch count reset, error cleared (the last
  one stays readable until then).

  Input:
    KEYS[1]  due zset
    ARGV[1]  key root
    ARGV[2]  siteId
    ARGV[3]  now (ms)
    ARGV[4]  window (ms)
    ARGV[5]  maxBatchSize
    ARGV[6…] deviceIds
  Output:
    how many were re-driven
]]
-- transitions: device failed->accepted
--- @include "prelude"
local site, now, window, max = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local n = 0
for i = 6, #ARGV do
  local id = ARGV[i]
  local dk = devKey(id)
  local f = redis.call('HMGET', dk, DEVICE.state, DEVICE.site)
  if f[1] == 'failed' and f[2] == site then
    redis.call('HDEL', dk, DEVICE.batch, DEVICE.activation, DEVICE.delivery, DEVICE.node, DEVICE.error)
    redis.call('HSET', dk, DEVICE.rebatches, 0)
    devState(id, site, 'failed', 'accepted', now)
    buffer(id, site, now, window, max)
    n = n + 1
  end
end
return n
