import { createLogger } from '../observability/logger.ts';
import {
  onRedisCluster,
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
  type StackEnv,
} from '@flashsale/testkit';
import { masters, redisClient, type RedisClient } from './redis-client.ts';
import { checkRedisPersistence } from './redis-persistence.ts';

/**
 * The start-up durability check on the stack's Redis: the single server, or every master of
 * the Redis Cluster in the cluster phase (docs/redis-cluster.md).
 */
describe('redis persistence check on every master', () => {
  let stack: StackEnv;
  let redis: RedisClient;
  const logger = createLogger('persistence-spec', 'silent');

  beforeAll(async () => {
    stack = await useStack();
    redis = redisClient(stack.REDIS_URL, {
      keyPrefix: isolatedNames('persistence').redisPrefix,
      lazyConnect: true,
    });
    await redis.connect();
  }, stackStartTimeoutMs);

  afterAll(() => {
    redis.disconnect();
  });

  it('finds the durable settings on every master (three in the cluster phase)', async () => {
    const nodes = masters(redis);
    expect(nodes.length).toBe(onRedisCluster(stack) ? 3 : 1);
    for (const node of nodes) {
      expect(await node.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    }
    expect(await checkRedisPersistence(redis, logger)).toEqual({
      appendonly: 'yes',
      appendfsync: 'always',
      maxmemoryPolicy: 'noeviction',
    });
  });

  it('refuses to start when any one master may evict, every time it checks', async () => {
    const last = masters(redis).at(-1);
    if (!last) throw new Error('no master');
    await last.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      // A check that read one node at random would pass now and then: twelve must all refuse.
      for (let round = 0; round < 12; round += 1) {
        await expectAsync(checkRedisPersistence(redis, logger)).toBeRejectedWithError(
          /maxmemory-policy "allkeys-lru"/,
        );
      }
    } finally {
      await last.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
