import { redisClusterNodeName, redisClusterNodePort, redisClusterNodes } from '@flashsale/stack';
import { Cluster } from 'ioredis';
import { isClusterUrl, masters, redisClient, type RedisClient } from '@flashsale/runtime';
import type { StackEnv } from './stack.ts';

/**
 * A client of the stack's Redis under a key prefix: the single Redis, or the Redis Cluster
 * when the run is in cluster mode (FLASHSALE_REDIS_MODE=cluster, docs/redis-cluster.md).
 */
export function stackRedis(stack: StackEnv, keyPrefix: string): RedisClient {
  return redisClient(stack.REDIS_URL, { keyPrefix });
}

/** Whether this run's specs talk to a Redis Cluster. */
export function onRedisCluster(stack: StackEnv): boolean {
  return isClusterUrl(stack.REDIS_URL);
}

/** The stack component serving a key (the single Redis, or the cluster master of its slot). */
export interface RedisServerOfKey {
  readonly component: string;
  readonly port: number;
}

/**
 * Which stack server holds `key` (a name under `client`'s prefix): the one Redis, or the
 * cluster master whose slot range takes the key's hash slot.
 */
export async function redisServerOf(client: RedisClient, key: string): Promise<RedisServerOfKey> {
  if (!(client instanceof Cluster))
    return { component: 'redis', port: client.options.port ?? 6379 };
  const fullKey = `${client.options.keyPrefix ?? ''}${key}`;
  const slot = Number(await client.cluster('KEYSLOT', fullKey));
  const ranges = await client.cluster('SLOTS');
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  const port = range?.[2]?.[1];
  const index = redisClusterNodes.findIndex((_, node) => redisClusterNodePort(node) === port);
  if (port === undefined || index < 0)
    throw new Error(`no stack node serves slot ${slot} (key ${fullKey})`);
  return { component: redisClusterNodeName(index), port };
}

/** Every key matching `pattern` (full names, prefix included) on every master, sorted. */
export async function keysMatching(client: RedisClient, pattern: string): Promise<string[]> {
  const found = await Promise.all(masters(client).map((node) => node.keys(pattern)));
  return found.flat().sort();
}

/** Runs a server-wide command (ACL, CONFIG) on every master, and returns the first reply. */
export async function onEveryMaster(
  client: RedisClient,
  command: string,
  ...args: string[]
): Promise<unknown> {
  const replies = await Promise.all(masters(client).map((node) => node.call(command, ...args)));
  return replies[0];
}

export { deleteKeysUnderPrefix } from '@flashsale/runtime';
