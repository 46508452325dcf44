--[[
  The same few fields of many device records in one call (the views delivery, verification and the API's
  pre-check read), instead of a pipelined HMGET per device: one command for the client to build and one
  reply to wait for, not a thousand (bench/README.md, "Where the time goes").

  Input:
    KEYS[1]  the first device's hash (routes the call to the fleet's slot)
    ARGV[1]  key root
    ARGV[2]  F, how many fields
    ARGV[3…2+F]  the field names
    ARGV[3+F…]   deviceIds
  Output:
    a flat list of F values per device, in the order of the deviceIds (nil for a field the hash lacks)
]]
-- transitions: none
--- @include "keys"
local nf = tonumber(ARGV[2])
local fields = {}
for i = 1, nf do fields[i] = ARGV[2 + i] end
local out, n = {}, 0
for i = 3 + nf, #ARGV do
  local values = redis.call('HMGET', devKey(ARGV[i]), unpack(fields))
  for j = 1, nf do
    n = n + 1
    out[n] = values[j]
  end
end
return out
