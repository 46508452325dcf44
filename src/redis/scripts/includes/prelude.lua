--[[
  Shared by the transition scripts: the only code that changes a state. They keep the per-site state
  counts (`cnt:<site>`), the failed-device index, the per-state batch index and the listing indexes exact,
  so nothing is ever recomputed. devState and batchState are the state-change helpers the transitions check
  reads (test/unit/redis/lua-transitions.test.ts, scripts/check-lua-transitions.ts).
]]
--- @include "keys"
-- the per-site listing index: a new member gets the next sequence number, so pages stay stable
local function listed(idx, member, isNew)
  if isNew and not redis.call('ZSCORE', idx, member) then
    redis.call('ZADD', idx, redis.call('INCR', key(SEG.sequence)), member)
  end
end
-- device state change: hash fields, per-site counts, failed index (from = nil: a new record)
local function devState(id, site, from, to, now)
  local cnt = key(SEG.counts, site)
  if from and from ~= '' then
    redis.call('HINCRBY', cnt, from, -1)
    if from == 'failed' then redis.call('SREM', key(SEG.failed, site), id) end
  end
  redis.call('HINCRBY', cnt, to, 1)
  if to == 'failed' then redis.call('SADD', key(SEG.failed, site), id) end
  redis.call('HSET', devKey(id), DEVICE.state, to, TS[to], now, DEVICE.updated, now)
  listed(key(SEG.deviceIndex, site), id, to == 'accepted')
  -- finished devices wait in fin:<site> (by finish time) for the retention sweep
  if to == 'registered' or to == 'failed' then
    redis.call('ZADD', key(SEG.finished, site), now, id)
  elseif from == 'registered' or from == 'failed' then
    redis.call('ZREM', key(SEG.finished, site), id)
  end
end
-- batch state change: hash field and the per-state index (a batch without a state is new)
local function batchState(b, to, now)
  local bk = batchKey(b)
  local from = redis.call('HGET', bk, BATCH.state)
  if from then redis.call('ZREM', key(SEG.batchesIn, from), b) end
  if not from then
    local site = redis.call('HGET', bk, BATCH.site)
    if site then listed(key(SEG.batchIndex, site), b, true) end
  end
  redis.call('ZADD', key(SEG.batchesIn, to), now, b)
  redis.call('HSET', bk, BATCH.state, to, BATCH.updated, now)
end
-- a device waits in its site buffer; the buffer is due a window after its first device, at once when full
local function buffer(id, site, now, window, max)
  local buf = key(SEG.buffer, site)
  redis.call('HSET', devKey(id), DEVICE.buffered, now)
  local len = redis.call('RPUSH', buf, id)
  if len >= max then
    redis.call('ZADD', key(SEG.due), now, site)
  else
    redis.call('ZADD', key(SEG.due), 'NX', now + window, site)
  end
end
-- node quota: what a finished batch reserved and did not use goes back (registered nodes keep theirs)
local function releaseQuota(b)
  local bk = batchKey(b)
  local f = redis.call('HMGET', bk, BATCH.quota, BATCH.registered, BATCH.region)
  local q = tonumber(f[1] or '0') or 0
  if q > 0 then
    local unused = q - (tonumber(f[2] or '0') or 0)
    if unused > 0 then redis.call('DECRBY', key(SEG.quota, f[3]), unused) end
    redis.call('HSET', bk, BATCH.quota, 0)
  end
end
-- an active batch is done (completed or expired): its sealed code goes, what it reserved and did not
-- register goes back, and it leaves the expiry and ack watches
local function batchDone(b)
  redis.call('HDEL', batchKey(b), BATCH.code)
  releaseQuota(b)
  redis.call('ZREM', key(SEG.expiries), b)
  redis.call('ZREM', key(SEG.acked), b)
  redis.call('DEL', key(SEG.batchAcked, b))
end
