import { isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';
import { requestPathRedis, type RedisClient } from './redis-client.ts';
import { classifyRedisError } from './redis-errors.ts';

/**
 * What the request path's client raises when the connection closes part-way through a
 * pipeline, on the stack's real Redis. Auto-pipelining sends every batch of purchase
 * decisions as one pipeline, so a Redis killed under a crowd cuts batches this way.
 */
describe('redis errors on a real connection', () => {
  let redis: RedisClient;

  beforeAll(async () => {
    const stack = await useStack();
    redis = requestPathRedis(stack.REDIS_URL, isolatedNames('redis-errors').redisPrefix);
    redis.on('error', () => undefined);
    await redis.connect();
  }, stackStartTimeoutMs);

  afterAll(() => {
    redis.disconnect();
  });

  it('takes the commands of a pipeline cut off after a partial answer as "unanswered"', async () => {
    const id = String(await redis.client('ID'));
    // The connection closes itself after the second answer; the third and fourth command
    // were written with the first two and may have run.
    const results = await redis
      .pipeline()
      .incr('counter')
      .call('CLIENT', 'KILL', 'ID', id, 'SKIPME', 'no')
      .incr('counter')
      .incr('counter')
      .exec();
    const answered = (results ?? []).map(([error, value]) => (error ? undefined : value));
    expect(answered).toEqual([1, 1, undefined, undefined]);
    const failures = (results ?? []).slice(2).map(([error]) => classifyRedisError(error));
    expect(failures).toEqual(['unanswered', 'unanswered']);
  });
});
