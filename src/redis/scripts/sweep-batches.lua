--[[
  Removes finished batches (completed, expired, failed) whose last change is older than the retention: the
  batch hash, its device list, its set of acks to verify and its index entries. No state transition.

  Input:
    KEYS[1]  bst:completed (routes the call)
    ARGV[1]  key root
    ARGV[2]  cutoff (ms)
    ARGV[3]  limit (per state)
  Output:
    the number of batches deleted
]]
-- transitions: none
--- @include "keys"
local cutoff, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local deleted = 0
for _, st in ipairs({'completed', 'expired', 'failed'}) do
  local index = key(SEG.batchesIn, st)
  for _, b in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', cutoff, 'LIMIT', 0, limit)) do
    local bk = batchKey(b)
    local f = redis.call('HMGET', bk, BATCH.state, BATCH.site)
    if f[1] == st then
      redis.call('DEL', bk, bdevKey(b), key(SEG.batchAcked, b))
      if f[2] then redis.call('ZREM', key(SEG.batchIndex, f[2]), b) end
      deleted = deleted + 1
    end
    redis.call('ZREM', index, b)
  end
end
return deleted
