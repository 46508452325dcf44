import { PRELUDE } from './prelude.js';

/**
 * Registrations verified with SSM: these acked devices of the batch become `registered`; with tagging on,
 * each one's node joins the tag queue (member `<siteId>/<deviceId>`, due now; the site's tag backlog +1).
 * Every id given leaves the batch's set of acks to verify (ids no longer acked in this batch only leave it).
 * KEYS[1] = batch hash. ARGV: root, batchId, now, tag nodes ('1' | '0'), deviceIds….
 * Returns the batch's devices still left.
 */
export const REGISTERED_LUA = PRELUDE + `
local b, now, tag = ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local pending = root .. ':back:' .. b
for i = 5, #ARGV do
  local id = ARGV[i]
  redis.call('SREM', pending, id)
  local f = redis.call('HMGET', devKey(id), 'st', 'batch', 'site')
  if f[1] == 'acked' and f[2] == b then
    devState(id, f[3], 'acked', 'registered', now)
    redis.call('HINCRBY', KEYS[1], 'left', -1)
    redis.call('HINCRBY', KEYS[1], 'reg', 1)
    if tag then
      redis.call('HSET', devKey(id), 'tag', 'p')
      redis.call('HDEL', devKey(id), 'tTag', 'tatt')
      if redis.call('ZADD', root .. ':tagq', 'NX', now, f[3] .. '/' .. id) == 1 then
        redis.call('HINCRBY', root .. ':tagn', f[3], 1)
      end
    end
  end
end
return tonumber(redis.call('HGET', KEYS[1], 'left') or '0')
`;
