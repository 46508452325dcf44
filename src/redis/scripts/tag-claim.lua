--[[
  Claims due tag-queue members for tagging: each is pushed a lease ahead (a claimer that dies leaves it due
  again then). Members whose device is no longer registered with a pending tag are dropped.

  Input:
    KEYS[1]  tag zset (`tagq`)
    ARGV[1]  key root
    ARGV[2]  now (ms)
    ARGV[3]  lease (ms)
    ARGV[4]  limit
  Output:
    a flat list {member, managedNodeId, region ('' unknown), retries}…
]]
-- transitions: none
--- @include "tag"
local now, lease, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)) do
  local f = redis.call('HMGET', devKey(tagDevice(m)), DEVICE.state, DEVICE.tag, DEVICE.node, DEVICE.batch, DEVICE.tagRetries)
  if f[1] == 'registered' and f[2] == 'p' and f[3] then
    redis.call('ZADD', KEYS[1], now + lease, m)
    local region = ''
    if f[4] then region = redis.call('HGET', batchKey(f[4]), BATCH.region) or '' end
    table.insert(out, m)
    table.insert(out, f[3])
    table.insert(out, region)
    table.insert(out, tonumber(f[5] or '0') or 0)
  else
    tagDrop(m)
  end
end
return out
