--[[
  One chunk of an intake job. A device belongs to its site: a record at another site is never touched
  unless moveFrom names it. A device in flight or registered is a duplicate unless reenroll — or unless it
  was created by this very job (a retried job is idempotent). A thingName held by another in-flight device
  of the site is refused (their credentials would share one topic). A replaced record is kept in the
  device's history and deleted: the device starts over with a new record, `accepted`.

  Input:
    KEYS[1]  due zset
    ARGV[1]  key root
    ARGV[2]  jobId
    ARGV[3]  now (ms)
    ARGV[4…] per event 8 values: deviceId, siteId, thingName, attributes (json), reenroll ('1' | '0'),
             site window ms, site maxBatchSize, moveFrom (the other site the API let this event move the
             device from; '' = none)
  Output:
    {accepted, duplicates, refused}
]]
-- transitions: device new->accepted
--- @include "prelude"
local jobId = ARGV[2]
local now = tonumber(ARGV[3])
local accepted, duplicates, refused = 0, 0, 0
local HISTORY_FIELDS = {DEVICE.site, DEVICE.thing, DEVICE.state, DEVICE.batch, DEVICE.activation, DEVICE.node, DEVICE.error, DEVICE.rebatches, TS.accepted, TS.batched, TS.activated, TS.delivered, TS.acked, TS.registered, TS.failed, DEVICE.updated}
local function thingsKey(site) return key(SEG.things, site) end
-- the device holding this thing name at the site, if it is still in flight there under that name
local function thingHolder(site, thing, id)
  local holder = redis.call('HGET', thingsKey(site), thing)
  if not holder or holder == id then return nil end
  local h = redis.call('HMGET', devKey(holder), DEVICE.state, DEVICE.site, DEVICE.thing)
  if h[1] and h[1] ~= 'registered' and h[1] ~= 'failed' and h[2] == site and h[3] == thing then return holder end
  return nil
end
local i = 4
while i + 7 <= #ARGV do
  local id, site, thing, attrs, reenroll = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4]
  local window, max, moveFrom = tonumber(ARGV[i+5]), tonumber(ARGV[i+6]), ARGV[i+7]
  i = i + 8
  local dk = devKey(id)
  local cur = redis.call('HMGET', dk, DEVICE.state, DEVICE.job, DEVICE.site, DEVICE.batch, DEVICE.thing)
  local st = cur[1]
  if st and cur[2] == jobId then
    accepted = accepted + 1
  elseif st and cur[3] ~= site and (moveFrom == '' or cur[3] ~= moveFrom or reenroll ~= '1') then
    refused = refused + 1
  elseif st and st ~= 'failed' and reenroll ~= '1' then
    duplicates = duplicates + 1
  elseif thingHolder(site, thing, id) then
    refused = refused + 1
  else
    if st then
      redis.call('HINCRBY', key(SEG.counts, cur[3]), st, -1)
      if st == 'failed' then redis.call('SREM', key(SEG.failed, cur[3]), id) end
      -- a re-enrolled device leaves its batch: that batch no longer waits for it
      if st ~= 'registered' and st ~= 'failed' and cur[4] and cur[4] ~= '' then
        redis.call('HINCRBY', batchKey(cur[4]), BATCH.left, -1)
      end
      if cur[5] and redis.call('HGET', thingsKey(cur[3]), cur[5]) == id then redis.call('HDEL', thingsKey(cur[3]), cur[5]) end
      local old = redis.call('HMGET', dk, unpack(HISTORY_FIELDS))
      local entry = {replaced = now}
      for k, name in ipairs(HISTORY_FIELDS) do
        if old[k] then entry[name] = old[k] end
      end
      local hk = key(SEG.history, id)
      redis.call('LPUSH', hk, cjson.encode(entry))
      redis.call('LTRIM', hk, 0, 9)
      redis.call('DEL', dk)
    end
    redis.call('HSET', dk, DEVICE.site, site, DEVICE.thing, thing, DEVICE.attributes, attrs, DEVICE.rebatches, 0, DEVICE.job, jobId)
    redis.call('HSET', thingsKey(site), thing, id)
    devState(id, site, nil, 'accepted', now)
    buffer(id, site, now, window, max)
    accepted = accepted + 1
  end
end
return {accepted, duplicates, refused}
