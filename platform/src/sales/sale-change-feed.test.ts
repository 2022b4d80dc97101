import { freePort } from '@flashsale/testkit';
import { requestPathRedis } from '@flashsale/runtime';
import { SaleChangeFeed } from './sale-change-feed.ts';

describe('sales: the change feed’s own connection (unit, a loopback port nobody serves)', () => {
  it('hands its connection errors to the process, not to ioredis’s console fallback', async () => {
    const port = await freePort();
    const redis = requestPathRedis(`redis://127.0.0.1:${port}`, 'feed-spec:');
    redis.on('error', () => undefined);
    const errors: Error[] = [];
    const printed = spyOn(console, 'error');
    const feed = new SaleChangeFeed(redis, (error) => errors.push(error));
    try {
      await expectAsync(feed.start()).toBeRejected();
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]?.message).toContain('ECONNREFUSED');
      expect(printed).not.toHaveBeenCalled();
    } finally {
      await feed.stop();
      redis.disconnect();
    }
  });
});
