-- Reads, in one atomic step, the records of a sale that verification and reseeding compare
-- with PostgreSQL: the configuration, what remains, the ledger of buyers (userId -> units)
-- and every purchase still in the outbox stream. Works on whatever keys are left.
--
-- KEYS[1] config hash, KEYS[2] remaining counter, KEYS[3] buyers hash, KEYS[4] outbox stream
-- Returns {configFlatList, remaining or false, buyersFlatList, outboxPurchaseJsons}.

local outbox = {}
for _, entry in ipairs(redis.call('XRANGE', KEYS[4], '-', '+')) do
  local fields = entry[2]
  for index = 1, #fields, 2 do
    if fields[index] == 'purchase' then table.insert(outbox, fields[index + 1]) end
  end
end
return {redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2]),
  redis.call('HGETALL', KEYS[3]), outbox}
