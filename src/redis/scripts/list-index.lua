--[[
  One page of a per-site listing index (devices or batches). Members whose record is gone or now at another
  site are dropped from the index. Failed devices are paged from the site's failed set (few, and they would
  otherwise take a scan of the whole index).

  Input:
    KEYS[1]  the index zset (member → sequence number)
    ARGV[1]  key root
    ARGV[2]  record kind: the key segment of its records (SEG.device | SEG.batch)
    ARGV[3]  siteId
    ARGV[4]  after (a score; '' = from the start)
    ARGV[5]  state ('' = any)
    ARGV[6]  limit
    ARGV[7]  budget (index entries looked at, at most)
  Output:
    {last score looked at ('' if none), 1 if the index has nothing after it else 0, entries looked at, id…}
    with at most `limit` ids in the state asked for
]]
-- transitions: none
--- @include "keys"
local kind, site, after, state = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local limit, budget = tonumber(ARGV[6]), tonumber(ARGV[7])
local min = '-inf'
if after ~= '' then min = '(' .. after end
local entries
local more = false
if kind == SEG.device and state == 'failed' then
  -- failed devices are few and have their own set: page through them alone, in index order
  local floor = tonumber(after ~= '' and after or '0') or 0
  local found = {}
  for _, id in ipairs(redis.call('SMEMBERS', key(SEG.failed, site))) do
    local score = tonumber(redis.call('ZSCORE', KEYS[1], id))
    if score and score > floor then found[#found + 1] = {id, score} end
  end
  table.sort(found, function(a, b) return a[2] < b[2] end)
  more = #found > budget
  entries = {}
  for i = 1, math.min(#found, budget) do
    entries[#entries + 1] = found[i][1]
    entries[#entries + 1] = string.format('%d', found[i][2])
  end
else
  entries = redis.call('ZRANGEBYSCORE', KEYS[1], min, '+inf', 'WITHSCORES', 'LIMIT', 0, budget)
end
local out = {'', 0, 0}
local last = ''
local n = 0
for i = 1, #entries, 2 do
  local id, score = entries[i], entries[i + 1]
  -- a batch hash names its state and site as a device hash does (test/unit/redis/records.test.ts)
  local f = redis.call('HMGET', key(kind, id), DEVICE.state, DEVICE.site)
  if not f[1] or f[2] ~= site then
    redis.call('ZREM', KEYS[1], id)
  elseif state == '' or f[1] == state then
    n = n + 1
    out[#out + 1] = id
  end
  last = score
  out[3] = out[3] + 1
  if n >= limit then break end
end
out[1] = last
if last == '' then
  out[2] = 1
elseif kind == SEG.device and state == 'failed' then
  if not more and last == entries[#entries] then out[2] = 1 end
elseif #redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. last, '+inf', 'LIMIT', 0, 1) == 0 then
  out[2] = 1
end
return out
