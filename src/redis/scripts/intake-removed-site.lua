--[[
  The devices of an intake job whose site is no longer configured: each gets a record in state `failed`
  with the given reason, so none is left without one. A device already recorded keeps its record (a
  duplicate) — a device belongs to its site, and one in flight or registered is not touched — except a
  `failed` record of this same site, which is replaced by the new one with the new reason. A retried job is
  idempotent.

  Input:
    KEYS[1]  due zset (routes the call)
    ARGV[1]  key root
    ARGV[2]  jobId
    ARGV[3]  now (ms)
    ARGV[4…] per device 5 values: deviceId, siteId, thingName, attributes (json), reason
  Output:
    {failed, duplicates}
]]
-- transitions: device new->failed
--- @include "prelude"
local jobId = ARGV[2]
local now = tonumber(ARGV[3])
local failed, duplicates = 0, 0
local i = 4
while i + 4 <= #ARGV do
  local id, site, thing, attrs, reason = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4]
  i = i + 5
  local dk = devKey(id)
  local cur = redis.call('HMGET', dk, DEVICE.state, DEVICE.job, DEVICE.site, DEVICE.batch)
  local st = cur[1]
  if st and cur[2] == jobId then
    failed = failed + 1
  elseif st and not (st == 'failed' and cur[3] == site) then
    duplicates = duplicates + 1
  else
    if st then
      redis.call('HINCRBY', key(SEG.counts, cur[3]), st, -1)
      if st == 'failed' then redis.call('SREM', key(SEG.failed, cur[3]), id) end
      redis.call('DEL', dk)
    end
    redis.call('HSET', dk, DEVICE.site, site, DEVICE.thing, thing, DEVICE.attributes, attrs, DEVICE.rebatches, 0, DEVICE.job, jobId, DEVICE.error, reason)
    devState(id, site, nil, 'failed', now)
    failed = failed + 1
  end
end
return {failed, duplicates}
