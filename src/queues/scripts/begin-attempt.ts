import { PRELUDE } from './prelude.js';

/**
 * Records a CreateActivation attempt before it is made (so a lost answer is looked for next time).
 * KEYS[1] = batch hash. ARGV: root, batchId, now. Only an `open`, `creating` or `blocked` batch can start
 * an attempt; returns the attempt number, or 0 when the batch is past that (another worker finished it).
 */
export const BEGIN_ATTEMPT_LUA = PRELUDE + `
local b, now = ARGV[2], tonumber(ARGV[3])
local st = redis.call('HGET', KEYS[1], 'st')
if st ~= 'open' and st ~= 'creating' and st ~= 'blocked' then return 0 end
if st ~= 'creating' then batchState(b, 'creating', now) end
redis.call('HDEL', KEYS[1], 'why')
return redis.call('HINCRBY', KEYS[1], 'att', 1)
`;

/**
 * A throttled call created nothing: the attempt is given back (throttling never uses attempts).
 * KEYS[1] = batch hash. ARGV: root. Returns the batch's throttle count (drives the delay).
 */
export const THROTTLED_LUA = `
if tonumber(redis.call('HGET', KEYS[1], 'att') or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'att', -1) end
return redis.call('HINCRBY', KEYS[1], 'thr', 1)
`;
