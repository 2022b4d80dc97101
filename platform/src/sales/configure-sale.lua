-- Configures a sale's definition and stock atomically and idempotently.
-- Stock is applied as a total, never as "reset remaining": the units already sold are
-- (stock - remaining), so raising stock adds the difference to what remains, re-applying
-- the same stock changes nothing, and lowering it below what is sold is refused.
-- A generation older than the one stored is refused, so a stale operator replica or cache
-- can never roll a sale back.
--
-- KEYS[1] config hash, KEYS[2] remaining counter
-- ARGV: sku, title, priceCents, stock, perUserLimit, startsAtMs, endsAtMs, generation, channel, name
--       imageUrl, description (ARGV[11], ARGV[12]: optional product fields, '' when absent)
-- Returns {status, sold, remaining, generation}; status is ok | below_sold | stale.

local newStock = tonumber(ARGV[4])
local generation = tonumber(ARGV[8])
local storedStock = redis.call('HGET', KEYS[1], 'stock')
local storedGeneration = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')

if generation > 0 and storedGeneration > generation then
  local remaining = tonumber(redis.call('GET', KEYS[2]) or '0')
  return {'stale', tonumber(storedStock) - remaining, remaining, storedGeneration}
end

if storedStock then
  local remaining = tonumber(redis.call('GET', KEYS[2]) or '0')
  local sold = tonumber(storedStock) - remaining
  if newStock < sold then
    return {'below_sold', sold, remaining, storedGeneration}
  end
  if newStock ~= tonumber(storedStock) then
    redis.call('INCRBY', KEYS[2], newStock - tonumber(storedStock))
  end
else
  redis.call('SET', KEYS[2], newStock)
end

redis.call('HSET', KEYS[1],
  'sku', ARGV[1], 'title', ARGV[2], 'priceCents', ARGV[3], 'stock', newStock,
  'perUserLimit', ARGV[5], 'startsAtMs', ARGV[6], 'endsAtMs', ARGV[7],
  'generation', math.max(generation, storedGeneration))

-- Optional product fields: an empty value removes the field, so dropping it from the
-- FlashSale removes it from the storefront too.
for index, field in ipairs({'imageUrl', 'description'}) do
  local value = ARGV[10 + index] or ''
  if value == '' then
    redis.call('HDEL', KEYS[1], field)
  else
    redis.call('HSET', KEYS[1], field, value)
  end
end
redis.call('PUBLISH', ARGV[9], ARGV[10])

local remaining = tonumber(redis.call('GET', KEYS[2]))
return {'ok', newStock - remaining, remaining, math.max(generation, storedGeneration)}
