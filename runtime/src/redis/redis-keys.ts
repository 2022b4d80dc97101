import { Cluster } from 'ioredis';
import { masters, type RedisClient } from './redis-client.ts';

/** Every key under `match` on every master, as SCAN returns them (full names). */
async function scanAll(client: RedisClient, match: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of masters(client)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
  }
  return keys;
}

/**
 * Deletes every key under the client's key prefix, on every master of a cluster: what a
 * bench or a test created under a prefix of its own (sales, buyers, idempotency keys,
 * outboxes). Refuses an empty prefix, which would mean the whole database.
 */
export async function deleteKeysUnderPrefix(client: RedisClient): Promise<number> {
  const prefix = client.options.keyPrefix ?? '';
  if (prefix === '') throw new Error('refusing to delete every key: the client has no key prefix');
  // SCAN (which no client prefixes) returns full key names; the client adds the prefix again.
  const keys = (await scanAll(client, `${prefix}*`)).map((key) => key.slice(prefix.length));
  let deleted = 0;
  // In chunks: a long bench leaves hundreds of thousands of buyer keys, more arguments than
  // one call (or one spread) can take.
  for (let at = 0; at < keys.length; at += unlinkChunk) {
    deleted += await unlinkAll(client, keys.slice(at, at + unlinkChunk));
  }
  return deleted;
}

const unlinkChunk = 1000;

async function unlinkAll(client: RedisClient, keys: string[]): Promise<number> {
  if (!(client instanceof Cluster)) return client.unlink(...keys);
  // Keys of different sales live in different slots: one UNLINK each.
  const counts = await Promise.all(keys.map((key) => client.unlink(key)));
  return counts.reduce((sum, count) => sum + count, 0);
}
