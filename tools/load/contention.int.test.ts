import { join } from 'node:path';
import { Sequelize } from 'sequelize';
import { projectRoot, toolBin } from '@flashsale/stack';
import { counterValue } from '../src/bench/k6-run.ts';
import { runContention, type LoadOutcome } from '../src/bench/load-runs.ts';
import { deleteKeysUnderPrefix } from '../src/bench/prefixed-keys.ts';
import { backgroundRedis, type RedisClient } from '@flashsale/runtime';
import { isolatedNames, IsolatedPlatform, stackStartTimeoutMs, useStack } from '@flashsale/testkit';

/**
 * The contention scenario end to end, at CI scale: real k6 against a private copy of the
 * platform built from this checkout (two API processes, relay, persister) on the real stack
 * (Redis, Kafka, PostgreSQL), exactly as `flashsale load contention` runs it against
 * `flashsale start` with 20,000 buyers and 1,000 units.
 */
describe('load: contention (k6, 20,000 buyers vs 1,000 units)', () => {
  const stock = 1000;
  let platform: IsolatedPlatform;
  let apiUrls: string[];
  let redis: RedisClient;
  let database: Sequelize;

  beforeAll(async () => {
    platform = new IsolatedPlatform(isolatedNames('load contention'), await useStack());
    await platform.prepare();
    // The persister migrates its database at start: start it before anything writes a sale.
    await platform.start('persister');
    await platform.start('relay');
    // The production rate limit (10 attempts per second and buyer), not the harness's "off".
    const limited = { PURCHASE_RATE_LIMIT: '10' };
    apiUrls = [
      await platform.start('api', 'api-1', limited),
      await platform.start('api', 'api-2', limited),
    ];
    redis = backgroundRedis(platform.stack.REDIS_URL, platform.names.redisPrefix);
    await redis.connect();
    database = new Sequelize(platform.database, { logging: false });
  }, stackStartTimeoutMs + 120_000);

  afterAll(async () => {
    await platform?.stopAll();
    // The harness drops the database and topic; the Redis keys under the prefix are ours.
    if (redis) await deleteKeysUnderPrefix(redis);
    redis?.disconnect();
    await database?.close();
    await platform?.cleanUp();
  }, 60_000);

  it('confirms exactly the stock, answers no 5xx, replays with the same purchase, and persists every unit', async () => {
    const outcome: LoadOutcome = await runContention(
      {
        k6: toolBin('k6'),
        scriptDir: join(projectRoot, 'tools', 'load'),
        apiUrls,
        jwtSecret: platform.secret,
        redis,
        database,
        output: 'capture',
      },
      { users: 20_000, stock, vus: 200 },
    );
    const k6Output = `k6 printed (tail):\n${outcome.k6.output.slice(-4000)}`;
    const count = (metric: string): number => counterValue(outcome.k6, metric);
    expect(count('confirmed')).withContext(k6Output).toBe(stock);
    expect(count('server_errors')).withContext(k6Output).toBe(0);
    expect(count('replay_mismatch')).withContext(k6Output).toBe(0);
    expect(count('unexpected_status')).withContext(k6Output).toBe(0);
    expect(outcome.k6.exitCode).withContext(k6Output).toBe(0);
    expect(outcome.verification).toEqual(
      jasmine.objectContaining({
        stock,
        sold: stock,
        remaining: 0,
        outboxPending: 0,
        persisted: stock,
        problems: [],
        consistent: true,
      }),
    );
  }, 120_000);
});
