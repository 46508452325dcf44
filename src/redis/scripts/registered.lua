--[[
  Registrations verified with SSM: these acked devices of the batch become `registered`; with tagging on,
  each one's node joins the tag queue (member `<siteId>/<deviceId>`, due now; the site's tag backlog +1).
  Every id given leaves the batch's set of acks to verify (ids no longer acked in this batch only leave it).

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  now (ms)
    ARGV[4]  tag nodes ('1' | '0')
    ARGV[5…] deviceIds
  Output:
    the batch's devices still left
]]
-- transitions: device acked->registered
--- @include "prelude"
local b, now, tag = ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local pending = key(SEG.batchAcked, b)
for i = 5, #ARGV do
  local id = ARGV[i]
  redis.call('SREM', pending, id)
  local f = redis.call('HMGET', devKey(id), DEVICE.state, DEVICE.batch, DEVICE.site)
  if f[1] == 'acked' and f[2] == b then
    devState(id, f[3], 'acked', 'registered', now)
    redis.call('HINCRBY', KEYS[1], BATCH.left, -1)
    redis.call('HINCRBY', KEYS[1], BATCH.registered, 1)
    if tag then
      redis.call('HSET', devKey(id), DEVICE.tag, 'p')
      redis.call('HDEL', devKey(id), DEVICE.taggedAt, DEVICE.tagRetries)
      if redis.call('ZADD', key(SEG.tagQueue), 'NX', now, f[3] .. '/' .. id) == 1 then
        redis.call('HINCRBY', key(SEG.tagBacklog), f[3], 1)
      end
    end
  end
end
return tonumber(redis.call('HGET', KEYS[1], BATCH.left) or '0')
