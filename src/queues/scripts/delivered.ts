import { PRELUDE } from './prelude.js';

/**
 * Credentials published: these devices of the batch become `delivered` (a redelivery to a `delivered` one
 * only moves its delivery time). KEYS[1] = batch hash. ARGV: root, batchId, now, deviceIds….
 * A device that acked meanwhile (fast devices do) stays as it is. Returns how many changed state.
 */
export const DELIVERED_LUA = PRELUDE + `
local b, now = ARGV[2], tonumber(ARGV[3])
local n = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local f = redis.call('HMGET', devKey(id), 'st', 'batch', 'site')
  if f[1] == 'activated' and f[2] == b then
    devState(id, f[3], 'activated', 'delivered', now)
    n = n + 1
  elseif f[1] == 'delivered' and f[2] == b then
    redis.call('HSET', devKey(id), 'tDlv', now)
  end
end
return n
`;
