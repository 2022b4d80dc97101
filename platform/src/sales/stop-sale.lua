-- Stops a sale for good, atomically, as the first step of deleting it: from this script on,
-- the purchase decision answers 'ended' (its window is closed on the Redis clock) and
-- configure-sale.lua refuses the sale, so nobody can buy while its keys are being removed.
-- An owner that does not own the sale changes nothing.
--
-- KEYS[1] config hash
-- ARGV[1] owner ('' = whoever owns it), ARGV[2] sale-changes channel, ARGV[3] sale name
-- Returns {status, owner}; status is stopped | absent | not_owner.

local storedOwner = redis.call('HGET', KEYS[1], 'owner')
if not redis.call('HGET', KEYS[1], 'stock') then return {'absent', ''} end
storedOwner = storedOwner or ''
if ARGV[1] ~= '' and storedOwner ~= '' and storedOwner ~= ARGV[1] then
  return {'not_owner', storedOwner}
end
if not redis.call('HGET', KEYS[1], 'deleting') then
  redis.call('HSET', KEYS[1], 'deleting', '1', 'startsAtMs', 0, 'endsAtMs', 0)
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return {'stopped', storedOwner}
