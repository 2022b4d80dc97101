-- The purchase decision: ONE atomic step on the Redis server's clock. Either every effect
-- happens (stock decremented, buyer recorded, purchase stored for replay and for the user,
-- event appended to the outbox stream) or none does. A purchase therefore exists in Redis,
-- durable with the append-only file, before the buyer sees 201, and reaches Kafka and
-- PostgreSQL through the outbox even if they are down at this moment.
--
-- KEYS[1] config hash     KEYS[2] remaining counter   KEYS[3] buyers hash
-- KEYS[4] outbox stream   KEYS[5] idempotency key      KEYS[6] user's purchase list
-- KEYS[7] user's rate-limit counter
-- ARGV[1] userId  ARGV[2] quantity  ARGV[3] purchaseId (fresh)  ARGV[4] '1' when an
-- Idempotency-Key was given  ARGV[5] rate limit (attempts per window, 0 = off)
-- ARGV[6] rate window ms  ARGV[7] idempotency ttl ms  ARGV[8] traceparent
-- ARGV[9] sale-changes channel  ARGV[10] sale name
--
-- Returns {outcome, detail...}:
--   {'confirmed', purchaseJson, remaining}   {'replay', purchaseJson}
--   {'rate_limited', retryAfterMs}           {'sale_not_found'}
--   {'not_started', startsAtMs}              {'ended'}
--   {'limit_reached', bought, limit}         {'sold_out', remaining}

local userId, quantity = ARGV[1], tonumber(ARGV[2])

local rateLimit = tonumber(ARGV[5])
if rateLimit > 0 then
  local attempts = redis.call('INCR', KEYS[7])
  if attempts == 1 then redis.call('PEXPIRE', KEYS[7], ARGV[6]) end
  if attempts > rateLimit then
    return {'rate_limited', redis.call('PTTL', KEYS[7])}
  end
end

if ARGV[4] == '1' then
  local previous = redis.call('GET', KEYS[5])
  if previous then return {'replay', previous} end
end

local config = redis.call('HMGET', KEYS[1], 'startsAtMs', 'endsAtMs', 'perUserLimit')
if not config[1] then return {'sale_not_found'} end

local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if nowMs < tonumber(config[1]) then return {'not_started', config[1]} end
if nowMs >= tonumber(config[2]) then return {'ended'} end

local limit = tonumber(config[3])
local bought = tonumber(redis.call('HGET', KEYS[3], userId) or '0')
if bought + quantity > limit then return {'limit_reached', bought, limit} end

local remaining = tonumber(redis.call('GET', KEYS[2]) or '0')
if remaining < quantity then return {'sold_out', remaining} end

remaining = redis.call('DECRBY', KEYS[2], quantity)
redis.call('HINCRBY', KEYS[3], userId, quantity)
local purchase = cjson.encode({
  purchaseId = ARGV[3], sale = ARGV[10], userId = userId,
  quantity = quantity, purchasedAtMs = nowMs,
})
redis.call('RPUSH', KEYS[6], purchase)
if ARGV[4] == '1' then redis.call('SET', KEYS[5], purchase, 'PX', ARGV[7]) end
redis.call('XADD', KEYS[4], '*', 'purchase', purchase, 'traceparent', ARGV[8])
redis.call('PUBLISH', ARGV[9], ARGV[10])
return {'confirmed', purchase, remaining}
