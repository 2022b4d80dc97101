import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import { masters, type RedisClient } from './redis-client.ts';
import { isReplyError } from './redis-errors.ts';

/**
 * The Redis settings that decide what a confirmed purchase survives (docs/durability.md).
 * A value is `unknown` when the server does not let us read it (CONFIG renamed or denied).
 */
export interface RedisPersistence {
  readonly appendonly: string;
  readonly appendfsync: string;
  readonly maxmemoryPolicy: string;
  /** Why the settings could not be read, when they could not. */
  readonly unreadable?: string;
}

const unknown = 'unknown';

async function configValue(redis: Redis, name: string): Promise<string> {
  const reply = await redis.config('GET', name);
  return reply[1] ?? unknown;
}

/** CONFIG GET of the three settings; a server that refuses CONFIG yields `unknown`s. */
export async function readRedisPersistence(redis: Redis): Promise<RedisPersistence> {
  try {
    const [appendonly, appendfsync, maxmemoryPolicy] = await Promise.all(
      ['appendonly', 'appendfsync', 'maxmemory-policy'].map((name) => configValue(redis, name)),
    );
    return {
      appendonly: appendonly ?? unknown,
      appendfsync: appendfsync ?? unknown,
      maxmemoryPolicy: maxmemoryPolicy ?? unknown,
    };
  } catch (error) {
    // Managed Redis services often rename or deny CONFIG: that is a reply, not a fault.
    if (!isReplyError(error)) throw error;
    return {
      appendonly: unknown,
      appendfsync: unknown,
      maxmemoryPolicy: unknown,
      unreadable: error.message,
    };
  }
}

/** What a confirmed purchase can be lost to with these settings, in one sentence. */
export function whatCanBeLost(settings: RedisPersistence): string {
  if (settings.unreadable !== undefined)
    return 'unknown: the settings could not be read; check them on the server';
  if (settings.appendonly !== 'yes')
    return 'every purchase not yet relayed to Kafka, on any Redis restart (appendonly is off)';
  if (settings.appendfsync === 'always')
    return 'nothing that Redis acknowledged, even on a machine crash';
  if (settings.appendfsync === 'everysec')
    return 'about the last second of purchases on a machine or kernel crash (a Redis crash loses none)';
  return 'the purchases the kernel has not yet written, on a machine crash (appendfsync no: up to ~30 s)';
}

/**
 * Refuses a server that may evict keys: eviction can drop idempotency keys (a retry then buys
 * twice) and outbox entries (confirmed purchases that never reach PostgreSQL).
 */
export function requireNoEviction(settings: RedisPersistence): void {
  if (settings.maxmemoryPolicy === unknown || settings.maxmemoryPolicy === 'noeviction') return;
  throw new Error(
    `Redis has maxmemory-policy "${settings.maxmemoryPolicy}": the platform needs "noeviction", because eviction can drop idempotency keys and the purchase outbox (confirmed purchases). Set \`maxmemory-policy noeviction\` on the Redis server (CONFIG SET or redis.conf) and start again.`,
  );
}

/** `flashsale_redis_persistence_info{appendonly,appendfsync,maxmemory_policy} 1`. */
export function registerPersistenceInfo(registry: Registry, settings: RedisPersistence): void {
  const gauge = new Gauge({
    name: 'flashsale_redis_persistence_info',
    help: 'Redis persistence settings read at start (unknown: CONFIG refused); see docs/durability.md',
    labelNames: ['appendonly', 'appendfsync', 'maxmemory_policy'],
    registers: [registry],
  });
  gauge.set(
    {
      appendonly: settings.appendonly,
      appendfsync: settings.appendfsync,
      maxmemory_policy: settings.maxmemoryPolicy,
    },
    1,
  );
}

/** How much a server with these settings can lose: the higher, the weaker. */
function weakness(settings: RedisPersistence): number {
  if (settings.maxmemoryPolicy !== unknown && settings.maxmemoryPolicy !== 'noeviction') return 5;
  if (settings.unreadable !== undefined) return 4;
  if (settings.appendonly !== 'yes') return 3;
  if (settings.appendfsync === 'always') return 0;
  return settings.appendfsync === 'everysec' ? 1 : 2;
}

/**
 * The settings of every master (one server, or each master of a cluster), as the weakest of
 * them: a purchase is only as durable as the shard its sale lives on (a master that may evict
 * counts as the weakest of all, so that the start-up check refuses it).
 */
export async function readClusterPersistence(redis: RedisClient): Promise<RedisPersistence> {
  const all = await Promise.all(masters(redis).map((node) => readRedisPersistence(node)));
  return all.reduce((weakest, settings) =>
    weakness(settings) > weakness(weakest) ? settings : weakest,
  );
}

/**
 * At start: read the settings (of every master of a cluster), log them with what they can
 * lose, refuse eviction. Throws (after nothing else was started) when a server may evict.
 */
export async function checkRedisPersistence(
  redis: RedisClient,
  logger: Logger,
): Promise<RedisPersistence> {
  const settings = await readClusterPersistence(redis);
  const fields = {
    appendonly: settings.appendonly,
    appendfsync: settings.appendfsync,
    maxmemoryPolicy: settings.maxmemoryPolicy,
    canLose: whatCanBeLost(settings),
  };
  if (settings.unreadable !== undefined) {
    logger.warn(
      { ...fields, reason: settings.unreadable },
      'redis persistence: CONFIG GET was refused, so the durability of confirmed purchases is unknown; check appendonly, appendfsync and maxmemory-policy on the server',
    );
  } else if (settings.appendonly !== 'yes') {
    logger.warn(fields, 'redis persistence: a Redis restart loses confirmed purchases');
  } else {
    logger.info(fields, 'redis persistence');
  }
  requireNoEviction(settings);
  return settings;
}
