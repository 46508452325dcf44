--[[
  Global adaptive token bucket, shared by every process. The bucket's rate adapts below the ceiling (AIMD,
  after the AWS SDK's adaptive retry mode): a throttle cuts it to BETA × the successes of the last second
  (at most once per COOLDOWN_MS, never below half at once before a second of successes is known) and
  empties the bucket; while calls succeed it grows by max(MIN_STEP, GROWTH × rate) per second up to the
  ceiling. Redis's own clock (TIME) so process clocks do not matter.

  Input:
    KEYS[1]  bucket hash
    ARGV[1]  ceiling (configured calls/s)
    ARGV[2]  burst at the ceiling
    ARGV[3]  tokens wanted (0: only report)
    ARGV[4]  calls that succeeded since this process last asked
    ARGV[5]  calls that AWS throttled since this process last asked
    ARGV[6]  tokens wanted beyond ARGV[3] if the bucket holds them once ARGV[3] is granted (optional, 0)
  Output:
    {ms to wait before asking again (0 = granted), current rate × 1000, extra tokens granted}
]]
-- transitions: none
local ceiling, burstAtCeiling, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local ok, thr, extra = tonumber(ARGV[4] or '0'), tonumber(ARGV[5] or '0'), tonumber(ARGV[6] or '0')
-- the floor: a fiftieth of the ceiling, so that a spell of throttling to zero is left quickly once it ends
local BETA, COOLDOWN_MS, GROWTH, MIN_STEP, FLOOR = 0.75, 100, 0.05, 0.5, math.max(0.2, ceiling / 50)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local f = redis.call('HMGET', KEYS[1], 'tok', 'ts', 'rate', 'inc', 'cut', 'okw', 'okws', 'okp')
local rate = math.min(ceiling, tonumber(f[3]) or ceiling)
local inc, cut = tonumber(f[4]) or now, tonumber(f[5]) or 0
local okw, okws, okp = tonumber(f[6]) or 0, tonumber(f[7]) or now, tonumber(f[8])
-- successes per second: the last full one-second window, or the current one once it is old enough
local age = now - okws
if age >= 1000 then
  okp = okw * 1000 / age
  okw, okws, age = 0, now, 0
end
okw = okw + ok
local measured, cutNow = nil, false
if okp then measured = okp * math.max(0, 1 - age / 1000) + okw elseif age >= 500 then measured = okw * 1000 / age end
if thr > 0 then
  if now - cut >= COOLDOWN_MS then
    local target = rate * 0.5
    if measured then target = math.max(BETA * math.min(rate, measured), FLOOR) end
    rate = math.max(FLOOR, math.min(rate, target))
    cut, inc, cutNow = now, now, true
  end
elseif ok > 0 then
  local step = math.max(MIN_STEP, GROWTH * rate) * math.max(0, now - inc) / 1000
  rate = math.min(ceiling, rate + step)
  inc = now
end
-- one second's worth at the current rate; a single bigger take can still be granted (it waits for it)
local burst = math.max(1, want, burstAtCeiling * rate / ceiling)
local tok = tonumber(f[1]) or burst
local ts = tonumber(f[2]) or now
tok = math.min(burst, tok + math.max(0, now - ts) * rate / 1000)
-- a cut also empties the bucket: tokens saved at the old rate would be a burst AWS throttles again
if cutNow then tok = 0 end
local wait, granted = 0, 0
if want > 0 then
  if tok >= want then
    tok = tok - want
    -- the extra only from what is there: asking for it never makes the caller wait
    granted = math.max(0, math.min(extra, math.floor(tok)))
    tok = tok - granted
  else
    wait = math.max(1, math.ceil((want - tok) * 1000 / rate))
  end
end
redis.call('HSET', KEYS[1], 'tok', tostring(tok), 'ts', now, 'rate', tostring(rate), 'inc', inc, 'cut', cut, 'okw', okw, 'okws', okws)
if okp then redis.call('HSET', KEYS[1], 'okp', tostring(okp)) end
redis.call('PEXPIRE', KEYS[1], 600000)
return {wait, math.floor(rate * 1000), granted}
