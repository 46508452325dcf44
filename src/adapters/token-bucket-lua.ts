/**
 * Global token bucket, shared by every process. KEYS[1] = bucket hash. ARGV: rate per second, burst, tokens
 * wanted. Redis's own clock (TIME) so process clocks do not matter. Returns 0 when granted, else the ms to
 * wait before asking again.
 */
export const TOKEN_BUCKET_LUA = `
local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local f = redis.call('HMGET', KEYS[1], 'tok', 'ts')
local tok = tonumber(f[1]) or burst
local ts = tonumber(f[2]) or now
tok = math.min(burst, tok + math.max(0, now - ts) * rate / 1000)
local wait = 0
if tok >= want then
  tok = tok - want
else
  wait = math.ceil((want - tok) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tok', tostring(tok), 'ts', now)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;
