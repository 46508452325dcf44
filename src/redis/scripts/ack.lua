--[[
  Device acks, many per call (one call per burst instead of one per ack), each checked and applied as if
  it ran alone, in order: two acks of one device or one node in a call see each other's effects.
  The delivery id names the device (batch list index); it must be the device's current delivery and the
  activation its current one, and the topic (when given) its own. A `registered` ack claims its managed node
  for the device (hash `nodes`: node → device); a node another device holds is refused (`claimed`). An
  `acked` device may ack again with another node (its first one may have been wrong): the claim moves, and
  reconcile verifies the new node. A `failed` ack keeps the device waiting (it may retry registering until
  expiry, then it is re-batched): only its last error is recorded.

  Input:
    KEYS[1]  acked zset (`ackd`)
    ARGV[1]  key root
    ARGV[2]  now (ms)
    ARGV[3…] per ack 9 values: batchId, index in the batch's device list, deliveryId (the kept one, its MAC
             checked already), activationId, status (registered | failed), managedNodeId, topic siteId
             ('' = not given), topic thingName, error text
  Output:
    one verdict per ack, in order: accepted | stale | forged | claimed
]]
-- transitions: device activated->acked, delivered->acked
--- @include "prelude"
local now = tonumber(ARGV[2])
local function ack(b, idx, did, aid, status, node, tsite, tthing, err)
  local id = redis.call('LINDEX', bdevKey(b), idx)
  if not id then return 'forged' end
  local f = redis.call('HMGET', devKey(id), DEVICE.state, DEVICE.delivery, DEVICE.activation, DEVICE.site, DEVICE.thing, DEVICE.node)
  if not f[1] then return 'forged' end
  if f[2] ~= did then
    -- a delivery id this device once had (older activation) is stale; anything else is forged
    if f[4] and (tsite == '' or tsite == f[4]) then return 'stale' end
    return 'forged'
  end
  if f[3] ~= aid then return 'forged' end
  if tsite ~= '' and (tsite ~= f[4] or tthing ~= f[5]) then return 'forged' end
  local waiting = f[1] == 'activated' or f[1] == 'delivered'
  if status == 'registered' then
    if not waiting and not (f[1] == 'acked' and f[6] ~= node) then return 'stale' end
    local nodes = key(SEG.nodeClaims)
    local holder = redis.call('HGET', nodes, node)
    if holder and holder ~= id then return 'claimed' end
    redis.call('HSET', nodes, node, id)
    if f[6] and f[6] ~= '' and f[6] ~= node and redis.call('HGET', nodes, f[6]) == id then redis.call('HDEL', nodes, f[6]) end
    redis.call('HSET', devKey(id), DEVICE.node, node)
    redis.call('HDEL', devKey(id), DEVICE.error)
    if waiting then devState(id, f[4], f[1], 'acked', now) else redis.call('HSET', devKey(id), DEVICE.updated, now) end
    -- ackv versions the batch's acks: reconcile drops the batch from the to-verify set only if none came since
    redis.call('HINCRBY', batchKey(b), BATCH.ackVersion, 1)
    redis.call('ZADD', KEYS[1], 'NX', now, b)
    -- the batch's acks to verify: reconcile reads these, not every member of the batch
    redis.call('SADD', key(SEG.batchAcked, b), id)
  elseif waiting then
    redis.call('HSET', devKey(id), DEVICE.error, err, DEVICE.updated, now)
  else
    return 'stale'
  end
  return 'accepted'
end
local verdicts = {}
for i = 3, #ARGV - 8, 9 do
  verdicts[#verdicts + 1] = ack(ARGV[i], tonumber(ARGV[i+1]), ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5], ARGV[i+6], ARGV[i+7], ARGV[i+8])
end
return verdicts
