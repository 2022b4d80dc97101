import { Redis } from 'ioredis';
import { isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';

// The platform decides purchases in one Lua script; this proves the stack's Redis runs
// scripts atomically through ioredis, by SHA after the first load.
const takeUnit = `
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left <= 0 then return -1 end
return redis.call('DECR', KEYS[1])
`;

interface ScriptedRedis extends Redis {
  takeUnit(key: string): Promise<number>;
}

describe('local stack: Redis', () => {
  let redis: ScriptedRedis;
  let key: string;

  beforeAll(async () => {
    const { REDIS_URL } = await useStack();
    redis = new Redis(REDIS_URL) as ScriptedRedis;
    redis.defineCommand('takeUnit', { numberOfKeys: 1, lua: takeUnit });
    key = `${isolatedNames('redis').redisPrefix}{stock}`;
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await redis.del(key);
    await redis.quit();
  });

  it('runs a Lua script atomically: 20 concurrent takes of 5 units give exactly 5 winners', async () => {
    await redis.set(key, 5);
    const results = await Promise.all(Array.from({ length: 20 }, () => redis.takeUnit(key)));
    expect(results.filter((left) => left >= 0).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(results.filter((left) => left === -1).length).toBe(15);
    expect(await redis.get(key)).toBe('0');
  });

  it('runs with append-only persistence, as the purchase path relies on', async () => {
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
  });

  it('fsyncs the append-only file before answering and never evicts (docs/durability.md)', async () => {
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual([
      'maxmemory-policy',
      'noeviction',
    ]);
  });
});
