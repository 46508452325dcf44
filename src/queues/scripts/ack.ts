import { PRELUDE } from './prelude.js';

/**
 * A device's ack. KEYS[1] = acked zset. ARGV: root, batchId, index, deliveryId, activationId, status,
 * managedNodeId, topic siteId ('' = not given), topic thingName, now, error text.
 * The delivery id names the device (batch list index); it must be the device's current delivery and the
 * activation its current one, and the topic (when given) its own. Returns accepted | stale | forged.
 * A `failed` ack keeps the device waiting (it may retry registering until expiry, then it is re-batched):
 * only its last error is recorded.
 */
export const ACK_LUA = PRELUDE + `
local b, idx, did, aid, status, node = ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local tsite, tthing, now, err = ARGV[8], ARGV[9], tonumber(ARGV[10]), ARGV[11]
local id = redis.call('LINDEX', bdevKey(b), idx)
if not id then return 'forged' end
local f = redis.call('HMGET', devKey(id), 'st', 'did', 'aid', 'site', 'thing')
if not f[1] then return 'forged' end
if f[2] ~= did then
  -- a delivery id this device once had (older activation) is stale; anything else is forged
  if f[4] and (tsite == '' or tsite == f[4]) then return 'stale' end
  return 'forged'
end
if f[3] ~= aid then return 'forged' end
if tsite ~= '' and (tsite ~= f[4] or tthing ~= f[5]) then return 'forged' end
if f[1] ~= 'activated' and f[1] ~= 'delivered' then return 'stale' end
if status == 'registered' then
  redis.call('HSET', devKey(id), 'node', node)
  redis.call('HDEL', devKey(id), 'err')
  devState(id, f[4], f[1], 'acked', now)
  -- ackv versions the batch's acks: reconcile drops the batch from the to-verify set only if none came since
  redis.call('HINCRBY', batchKey(b), 'ackv', 1)
  redis.call('ZADD', KEYS[1], 'NX', now, b)
  -- the batch's acks to verify: reconcile reads these, not every member of the batch
  redis.call('SADD', root .. ':back:' .. b, id)
else
  redis.call('HSET', devKey(id), 'err', err, 'upd', now)
end
return 'accepted'
`;

/**
 * Every ack of the batch up to version ARGV[3] is verified: drop it from the to-verify set, unless a newer
 * ack came meanwhile. KEYS[1] = acked zset. ARGV: root, batchId, ack version seen before verifying.
 */
export const ACKS_VERIFIED_LUA = PRELUDE + `
local b, v = ARGV[2], ARGV[3]
if (redis.call('HGET', batchKey(b), 'ackv') or '0') == v then return redis.call('ZREM', KEYS[1], b) end
return 0
`;
