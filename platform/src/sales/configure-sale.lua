-- Configures a sale's definition and stock atomically and idempotently.
-- Stock is applied as a total, never as "reset remaining": the units already sold are
-- (stock - remaining), so raising stock adds the difference to what remains, re-applying
-- the same stock changes nothing, and lowering it below what is sold is refused.
-- A generation older than the one stored is refused, so a stale operator replica or cache
-- can never roll a sale back.
--
-- Sale names are unique per cluster (they are public URLs): the first owner to configure a
-- name keeps it until the sale is removed. Another owner is refused before anything changes.
-- A sale being deleted (see stop-sale.lua) cannot be configured again.
--
-- A new sale starts a new incarnation (id and start time on the Redis clock). A sale whose
-- keys were lost can be reseeded: ARGV[15] carries the lost incarnation's start, ARGV[16]
-- the units already sold and ARGV[17..] (user, units) pairs, so neither the stock nor any
-- per-user limit can be sold twice (docs/sale-lifecycle.md).
--
-- KEYS[1] config hash, KEYS[2] remaining counter, KEYS[3] buyers hash
-- ARGV: sku, title, priceCents, stock, perUserLimit, startsAtMs, endsAtMs, generation,
--       channel, name, imageUrl, description (ARGV[11], ARGV[12]: optional product fields,
--       '' when absent), owner, incarnation, incarnationStartMs (0 = now), soldBefore,
--       then (userId, units) pairs
-- Returns {status, sold, remaining, generation, owner, incarnation, incarnationStartMs};
-- status is ok | below_sold | stale | not_owner | deleting.

local newStock = tonumber(ARGV[4])
local generation = tonumber(ARGV[8])
local owner = ARGV[13]
local stored = redis.call('HMGET', KEYS[1], 'stock', 'generation', 'owner', 'incarnation',
  'incarnationStartMs', 'deleting')
local storedStock = stored[1]
local storedGeneration = tonumber(stored[2] or '0')
local storedOwner = stored[3] or ''

local function reply(status, sold, remaining)
  return {status, sold, remaining, storedGeneration, storedOwner, stored[4] or '',
    tonumber(stored[5] or '0')}
end

if storedStock and storedOwner ~= '' and storedOwner ~= owner then
  return reply('not_owner', 0, 0)
end
if stored[6] then
  return reply('deleting', 0, 0)
end

local remaining = tonumber(redis.call('GET', KEYS[2]) or '0')
if generation > 0 and storedGeneration > generation then
  return reply('stale', tonumber(storedStock) - remaining, remaining)
end

if storedStock then
  local sold = tonumber(storedStock) - remaining
  if newStock < sold then
    return reply('below_sold', sold, remaining)
  end
  if newStock ~= tonumber(storedStock) then
    redis.call('INCRBY', KEYS[2], newStock - tonumber(storedStock))
  end
else
  local soldBefore = tonumber(ARGV[16])
  if newStock < soldBefore then
    return reply('below_sold', soldBefore, 0)
  end
  local startMs = tonumber(ARGV[15])
  if startMs == 0 then
    local t = redis.call('TIME')
    startMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  redis.call('SET', KEYS[2], newStock - soldBefore)
  for index = 17, #ARGV, 2 do
    redis.call('HSET', KEYS[3], ARGV[index], ARGV[index + 1])
  end
  redis.call('HSET', KEYS[1], 'owner', owner, 'incarnation', ARGV[14],
    'incarnationStartMs', startMs)
  stored[4], stored[5] = ARGV[14], startMs
end
if storedOwner == '' then
  -- A sale configured before names had owners is adopted by its first configurer.
  redis.call('HSET', KEYS[1], 'owner', owner)
  storedOwner = owner
end

storedGeneration = math.max(generation, storedGeneration)
redis.call('HSET', KEYS[1],
  'sku', ARGV[1], 'title', ARGV[2], 'priceCents', ARGV[3], 'stock', newStock,
  'perUserLimit', ARGV[5], 'startsAtMs', ARGV[6], 'endsAtMs', ARGV[7],
  'generation', storedGeneration)

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

remaining = tonumber(redis.call('GET', KEYS[2]))
return reply('ok', newStock - remaining, remaining)
