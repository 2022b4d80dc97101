-- Reads a sale's definition, what remains, and the server clock in one round trip, so
-- the state a buyer sees is computed on the same clock the purchase script decides on.
-- KEYS[1] config hash, KEYS[2] remaining counter
-- Returns {} when the sale does not exist, else {configFlatList, remaining, nowMs}.

local config = redis.call('HGETALL', KEYS[1])
if #config == 0 then return {} end
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {config, tonumber(redis.call('GET', KEYS[2]) or '0'), nowMs}
