import { PRELUDE } from './prelude.js';

/*
 * The tag queue: zset `tagq` of members `<siteId>/<deviceId>` (a site id has no '/') scored by the ms the
 * device's node is due for tagging, and hash `tagn` siteId → members queued (the site's tag backlog). The
 * member carries its site, so the backlog stays exact even when the device record is replaced (re-enrolled).
 * Device fields: `tag` = p (pending) | d (tagged) | x (failed for good), `tTag` = ms tagged, `tatt` = retries.
 */
const TAG_PRELUDE = PRELUDE + `
local function tagSite(member) return string.match(member, '^([^/]+)/') end
local function tagDevice(member) return string.sub(member, string.find(member, '/', 1, true) + 1) end
local function tagDrop(member)
  if redis.call('ZREM', root .. ':tagq', member) == 1 then
    redis.call('HINCRBY', root .. ':tagn', tagSite(member), -1)
    return true
  end
  return false
end
`;

/**
 * Claims up to ARGV[4] due members for tagging: each is pushed a lease ahead (a claimer that dies leaves it due
 * again then). Members whose device is no longer registered with a pending tag are dropped. KEYS[1] = tag zset.
 * ARGV: root, now, lease ms, limit. Returns a flat list {member, managedNodeId, region ('' unknown), retries}….
 */
export const TAG_CLAIM_LUA = TAG_PRELUDE + `
local now, lease, limit = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)) do
  local f = redis.call('HMGET', devKey(tagDevice(m)), 'st', 'tag', 'node', 'batch', 'tatt')
  if f[1] == 'registered' and f[2] == 'p' and f[3] then
    redis.call('ZADD', KEYS[1], now + lease, m)
    local region = ''
    if f[4] then region = redis.call('HGET', batchKey(f[4]), 'region') or '' end
    table.insert(out, m)
    table.insert(out, f[3])
    table.insert(out, region)
    table.insert(out, tonumber(f[5] or '0') or 0)
  else
    tagDrop(m)
  end
end
return out
`;

/**
 * Tagging ended for these members: `d` (tagged, with the time) or `x` (refused for good). A device whose node
 * changed meanwhile (re-enrolled) keeps its new state. KEYS[1] = tag zset.
 * ARGV: root, now, outcome (d | x), then pairs member, managedNodeId tagged. Returns members finished.
 */
export const TAG_DONE_LUA = TAG_PRELUDE + `
local now, outcome = tonumber(ARGV[2]), ARGV[3]
local n = 0
for i = 4, #ARGV - 1, 2 do
  local m, node = ARGV[i], ARGV[i + 1]
  if tagDrop(m) then
    n = n + 1
    local dk = devKey(tagDevice(m))
    local f = redis.call('HMGET', dk, 'tag', 'node')
    if f[1] == 'p' and f[2] == node then
      if outcome == 'd' then redis.call('HSET', dk, 'tag', 'd', 'tTag', now) else redis.call('HSET', dk, 'tag', 'x') end
      redis.call('HDEL', dk, 'tatt')
    end
  end
end
return n
`;

/**
 * Tagging of these members failed for now: each is due again at its own time, its retry count up by one.
 * KEYS[1] = tag zset. ARGV: root, then pairs member, due ms. Returns members rescheduled.
 */
export const TAG_RETRY_LUA = TAG_PRELUDE + `
local n = 0
for i = 2, #ARGV - 1, 2 do
  local m = ARGV[i]
  if redis.call('ZSCORE', KEYS[1], m) then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[i + 1]), m)
    redis.call('HINCRBY', devKey(tagDevice(m)), 'tatt', 1)
    n = n + 1
  end
end
return n
`;
