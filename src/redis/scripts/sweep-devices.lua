--[[
  Removes one site's finished device records older than the retention. A record still registered/failed
  since before the cutoff is deleted with its index entries, its history, its node claim, its thing name and
  any tag-queue entry; it leaves `cnt:<site>` (counts are of records held) and is added to `xcnt:<site>`
  (records expired, ever). An entry whose device moved on (re-enrolled, re-driven) is dropped or re-scored
  with the device's own finish time. A deleted record is gone, not moved: no state transition.

  Input:
    KEYS[1]  fin:<site> (deviceId → ms it finished)
    ARGV[1]  key root
    ARGV[2]  siteId
    ARGV[3]  cutoff (ms)
    ARGV[4]  limit
  Output:
    {deleted, looked at}
]]
-- transitions: none
--- @include "keys"
local site, cutoff, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff, 'LIMIT', 0, limit)
local deleted = 0
for _, id in ipairs(ids) do
  local dk = devKey(id)
  local f = redis.call('HMGET', dk, DEVICE.state, DEVICE.site, TS.registered, TS.failed, DEVICE.node, DEVICE.thing)
  local st = f[1]
  local finishedAt = nil
  if st == 'registered' then finishedAt = tonumber(f[3]) elseif st == 'failed' then finishedAt = tonumber(f[4]) end
  if f[2] ~= site or not finishedAt then
    redis.call('ZREM', KEYS[1], id)
  elseif finishedAt > cutoff then
    redis.call('ZADD', KEYS[1], finishedAt, id)
  else
    redis.call('DEL', dk, key(SEG.history, id))
    local nodes = key(SEG.nodeClaims)
    if f[5] and f[5] ~= '' and redis.call('HGET', nodes, f[5]) == id then redis.call('HDEL', nodes, f[5]) end
    if f[6] and redis.call('HGET', key(SEG.things, site), f[6]) == id then redis.call('HDEL', key(SEG.things, site), f[6]) end
    if redis.call('ZREM', key(SEG.tagQueue), site .. '/' .. id) == 1 then redis.call('HINCRBY', key(SEG.tagBacklog), site, -1) end
    redis.call('HINCRBY', key(SEG.counts, site), st, -1)
    redis.call('HINCRBY', key(SEG.expiredCounts, site), st, 1)
    redis.call('SREM', key(SEG.failed, site), id)
    redis.call('ZREM', key(SEG.deviceIndex, site), id)
    redis.call('ZREM', KEYS[1], id)
    deleted = deleted + 1
  end
end
return {deleted, #ids}
