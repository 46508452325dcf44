--[[
  Renews a lease, only for its holder (the token), so a slow process never keeps someone else's lease.

  Input:
    KEYS[1]  the lease key
    ARGV[1]  the holder's token
    ARGV[2]  ms to live
  Output:
    1 renewed, 0 not held by this token
]]
-- transitions: none
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
