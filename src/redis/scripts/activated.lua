--[[
  CreateActivation answered: the batch becomes `active` with its activation, each of its devices
  `activated` with its delivery id `<batchId>.<index>.<nonce>`.

  Input:
    KEYS[1]  batch hash
    ARGV[1]  key root
    ARGV[2]  batchId
    ARGV[3]  activationId
    ARGV[4]  encrypted code
    ARGV[5]  expiry (ms)
    ARGV[6]  now (ms)
    ARGV[7]  nonce
    ARGV[8]  attempt
  Output:
    the number of devices activated, or -1 when the batch was not `creating` or a later attempt has begun
    since this one (a worker whose lease ran out mid-call): nothing changed, the caller deletes its activation
]]
-- transitions: batch creating->active; device batched->activated
--- @include "prelude"
local b, aid, code, exp, now, nonce = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local st, att = unpack(redis.call('HMGET', KEYS[1], BATCH.state, BATCH.attempts))
if st ~= 'creating' or tonumber(att or '0') ~= tonumber(ARGV[8]) then return -1 end
redis.call('HSET', KEYS[1], BATCH.activation, aid, BATCH.code, code, BATCH.expiresAt, exp, BATCH.nonce, nonce, BATCH.activatedAt, now)
redis.call('HDEL', KEYS[1], BATCH.error, BATCH.blockedReason)
batchState(b, 'active', now)
redis.call('ZADD', key(SEG.expiries), exp, b)
local ids = redis.call('LRANGE', bdevKey(b), 0, -1)
local n = 0
for i, id in ipairs(ids) do
  local f = redis.call('HMGET', devKey(id), DEVICE.state, DEVICE.batch, DEVICE.site)
  if f[1] == 'batched' and f[2] == b then
    redis.call('HSET', devKey(id), DEVICE.activation, aid, DEVICE.delivery, b .. '.' .. (i - 1) .. '.' .. nonce)
    devState(id, f[3], 'batched', 'activated', now)
    n = n + 1
  end
end
return n
