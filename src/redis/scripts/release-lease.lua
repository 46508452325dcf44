--[[
  Releases a lease, only for its holder (the token), so a slow process never frees someone else's lease.

  Input:
    KEYS[1]  the lease key
    ARGV[1]  the holder's token
  Output:
    1 released, 0 not held by this token
]]
-- transitions: none
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
