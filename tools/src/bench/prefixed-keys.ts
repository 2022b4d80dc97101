import type { Redis } from 'ioredis';

/**
 * Deletes every key under the client's key prefix: what a bench or a test created under a
 * prefix of its own (sales, buyers, idempotency keys, outboxes). Refuses an empty prefix,
 * which would mean the whole database.
 */
export async function deleteKeysUnderPrefix(redis: Redis): Promise<number> {
  const prefix = redis.options.keyPrefix ?? '';
  if (prefix === '') throw new Error('refusing to delete every key: the client has no key prefix');
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    // SCAN returns full key names; the client adds the prefix again, so strip it.
    if (found.length > 0)
      deleted += await redis.unlink(...found.map((key) => key.slice(prefix.length)));
  } while (cursor !== '0');
  return deleted;
}
