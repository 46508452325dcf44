import { PRELUDE } from './prelude.js';

/**
 * One chunk of an intake job. KEYS[1] = due zset. ARGV: root, jobId, now, then per event 7 values:
 * deviceId, siteId, thingName, attributes (json), reenroll ('1'/'0'), site window ms, site maxBatchSize.
 * A device in flight is a duplicate unless reenroll — or unless it was created by this very job
 * (a retried job is idempotent). Returns {accepted, duplicates}.
 */
export const INTAKE_LUA = PRELUDE + `
local jobId = ARGV[2]
local now = tonumber(ARGV[3])
local accepted, duplicates = 0, 0
local i = 4
while i + 6 <= #ARGV do
  local id, site, thing, attrs, reenroll = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4]
  local window, max = tonumber(ARGV[i+5]), tonumber(ARGV[i+6])
  i = i + 7
  local dk = devKey(id)
  local cur = redis.call('HMGET', dk, 'st', 'job', 'site', 'batch')
  local st = cur[1]
  if st and cur[2] == jobId then
    accepted = accepted + 1
  elseif st and st ~= 'registered' and st ~= 'failed' and reenroll ~= '1' then
    duplicates = duplicates + 1
  else
    if st then
      redis.call('HINCRBY', root .. ':cnt:' .. cur[3], st, -1)
      if st == 'failed' then redis.call('SREM', root .. ':failed:' .. cur[3], id) end
      -- a re-enrolled device leaves its batch: that batch no longer waits for it
      if st ~= 'registered' and st ~= 'failed' and cur[4] and cur[4] ~= '' then
        redis.call('HINCRBY', batchKey(cur[4]), 'left', -1)
      end
      redis.call('DEL', dk)
    end
    redis.call('HSET', dk, 'site', site, 'thing', thing, 'attrs', attrs, 'gen', 0, 'job', jobId)
    devState(id, site, nil, 'accepted', now)
    buffer(id, site, now, window, max)
    accepted = accepted + 1
  end
end
return {accepted, duplicates}
`;
