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
