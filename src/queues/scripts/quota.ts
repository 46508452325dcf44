import { PRELUDE } from './prelude.js';

/**
 * Reserves the batch's size in its Region's managed-node quota, once per batch. KEYS[1] = batch hash.
 * ARGV: root, batchId, quota (-1 = unlimited), now. Returns 1 reserved (or already), 0 no room: the batch
 * is then `blocked` with why = quota, visibly, until reconcile sees room and re-drives it.
 */
export const RESERVE_QUOTA_LUA = PRELUDE + `
local b, limit, now = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local f = redis.call('HMGET', KEYS[1], 'q', 'size', 'region', 'st')
if tonumber(f[1] or '0') > 0 then return 1 end
local size = tonumber(f[2])
if limit >= 0 then
  local used = tonumber(redis.call('GET', root .. ':quota:' .. f[3]) or '0')
  if used + size > limit then
    if f[4] ~= 'blocked' then batchState(b, 'blocked', now) end
    redis.call('HSET', KEYS[1], 'why', 'quota')
    return 0
  end
end
redis.call('INCRBY', root .. ':quota:' .. f[3], size)
redis.call('HSET', KEYS[1], 'q', size)
return 1
`;

/**
 * What fleet-enroll holds of a Region's node quota. KEYS[1] = the Region's quota counter. ARGV: root, region.
 * Returns {used, pending}: used = the counter (reservations of live batches + nodes registered by finished
 * ones); pending = reserved by live batches and not registered yet. Walks the batches that can hold a
 * reservation: few on the standard tier, the only one that asks.
 */
export const QUOTA_HELD_LUA = `
local root, region = ARGV[1], ARGV[2]
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local pending = 0
for _, st in ipairs({'open', 'creating', 'active', 'blocked'}) do
  for _, b in ipairs(redis.call('ZRANGE', root .. ':bst:' .. st, 0, -1)) do
    local f = redis.call('HMGET', root .. ':batch:' .. b, 'q', 'reg', 'region')
    local q = tonumber(f[1] or '0') or 0
    if q > 0 and f[3] == region then pending = pending + q - (tonumber(f[2] or '0') or 0) end
  end
end
return {used, pending}
`;
