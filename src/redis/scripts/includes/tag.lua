--[[
  The tag queue: zset `tagq` of members `<siteId>/<deviceId>` (a site id has no '/') scored by the ms the
  device's node is due for tagging, and hash `tagn` siteId → members queued (the site's tag backlog). The
  member carries its site, so the backlog stays exact even when the device record is replaced (re-enrolled).
  Device fields: `tag` = p (pending) | d (tagged) | x (failed for good), `tTag` = ms tagged, `tatt` = retries.
]]
--- @include "keys"
local function tagSite(member) return string.match(member, '^([^/]+)/') end
local function tagDevice(member) return string.sub(member, string.find(member, '/', 1, true) + 1) end
local function tagDrop(member)
  if redis.call('ZREM', key(SEG.tagQueue), member) == 1 then
    redis.call('HINCRBY', key(SEG.tagBacklog), tagSite(member), -1)
    return true
  end
  return false
end
