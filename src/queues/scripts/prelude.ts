/**
 * Lua shared by the transition scripts. Every script gets ARGV[1] = the key root `{prefix}` and keeps the
 * per-site state counts (`cnt:<site>`) and the failed-device index exact, because only scripts change state.
 * Keys are built from the root: all of them share its hash tag (one Cluster slot); KEYS[1] routes the call.
 */
export const PRELUDE = `
local root = ARGV[1]
local TS = {accepted='tAcc', batched='tBat', activated='tAct', delivered='tDlv', acked='tAck', registered='tReg', failed='tFl'}
local function devKey(id) return root .. ':dev:' .. id end
local function batchKey(b) return root .. ':batch:' .. b end
local function bdevKey(b) return root .. ':bdev:' .. b end
-- the per-site listing index: a new member gets the next sequence number, so pages stay stable
local function listed(idx, member, isNew)
  if isNew and not redis.call('ZSCORE', idx, member) then
    redis.call('ZADD', idx, redis.call('INCR', root .. ':seq'), member)
  end
end
-- device state change: hash fields, per-site counts, failed index
local function devState(id, site, from, to, now)
  local cnt = root .. ':cnt:' .. site
  if from and from ~= '' then
    redis.call('HINCRBY', cnt, from, -1)
    if from == 'failed' then redis.call('SREM', root .. ':failed:' .. site, id) end
  end
  redis.call('HINCRBY', cnt, to, 1)
  if to == 'failed' then redis.call('SADD', root .. ':failed:' .. site, id) end
  redis.call('HSET', devKey(id), 'st', to, TS[to], now, 'upd', now)
  listed(root .. ':idx:' .. site, id, to == 'accepted')
  -- finished devices wait in fin:<site> (by finish time) for the retention sweep
  if to == 'registered' or to == 'failed' then
    redis.call('ZADD', root .. ':fin:' .. site, now, id)
  elseif from == 'registered' or from == 'failed' then
    redis.call('ZREM', root .. ':fin:' .. site, id)
  end
end
-- batch state change: hash field and the per-state index
local function batchState(b, to, now)
  local bk = batchKey(b)
  local from = redis.call('HGET', bk, 'st')
  if from then redis.call('ZREM', root .. ':bst:' .. from, b) end
  if not from then
    local site = redis.call('HGET', bk, 'site')
    if site then listed(root .. ':bidx:' .. site, b, true) end
  end
  redis.call('ZADD', root .. ':bst:' .. to, now, b)
  redis.call('HSET', bk, 'st', to, 'upd', now)
end
-- a device waits in its site buffer; the buffer is due a window after its first device, at once when full
local function buffer(id, site, now, window, max)
  local buf = root .. ':buf:' .. site
  redis.call('HSET', devKey(id), 'tBuf', now)
  local len = redis.call('RPUSH', buf, id)
  if len >= max then
    redis.call('ZADD', root .. ':due', now, site)
  else
    redis.call('ZADD', root .. ':due', 'NX', now + window, site)
  end
end
-- node quota: what a finished batch reserved and did not use goes back (registered nodes keep theirs)
local function releaseQuota(b)
  local bk = batchKey(b)
  local f = redis.call('HMGET', bk, 'q', 'reg', 'region')
  local q = tonumber(f[1] or '0') or 0
  if q > 0 then
    local unused = q - (tonumber(f[2] or '0') or 0)
    if unused > 0 then redis.call('DECRBY', root .. ':quota:' .. f[3], unused) end
    redis.call('HSET', bk, 'q', 0)
  end
end
`;
