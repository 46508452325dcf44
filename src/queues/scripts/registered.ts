import { PRELUDE } from './prelude.js';

/**
 * Registrations verified with SSM: these acked devices of the batch become `registered`.
 * KEYS[1] = batch hash. ARGV: root, batchId, now, deviceIds…. Returns the batch's devices still left.
 */
export const REGISTERED_LUA = PRELUDE + `
local b, now = ARGV[2], tonumber(ARGV[3])
for i = 4, #ARGV do
  local id = ARGV[i]
  local f = redis.call('HMGET', devKey(id), 'st', 'batch', 'site')
  if f[1] == 'acked' and f[2] == b then
    devState(id, f[3], 'acked', 'registered', now)
    redis.call('HINCRBY', KEYS[1], 'left', -1)
    redis.call('HINCRBY', KEYS[1], 'reg', 1)
  end
end
return tonumber(redis.call('HGET', KEYS[1], 'left') or '0')
`;
