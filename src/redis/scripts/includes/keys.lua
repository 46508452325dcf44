--[[
  The key root and the key builders. Every script gets ARGV[1] = the key root `{prefix}` and builds its
  keys from it: all of them share its hash tag (one Cluster slot); KEYS[1] only routes the call.
  SEG (key segments), DEVICE and BATCH (hash field names) and TS (device timestamp fields) come from the
  TypeScript declarations (src/redis/keys.ts, src/redis/records.ts): the include "layout" is generated
  by src/redis/redis-scripts.ts.
]]
--- @include "layout"
local root = ARGV[1]
local function key(seg, id)
  if id then return root .. ':' .. seg .. ':' .. id end
  return root .. ':' .. seg
end
local function devKey(id) return key(SEG.device, id) end
local function batchKey(b) return key(SEG.batch, b) end
local function bdevKey(b) return key(SEG.batchDevices, b) end
