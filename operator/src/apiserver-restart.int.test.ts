import { stop, up } from '@flashsale/stack';
import {
  stackStartTimeoutMs,
  condition,
  counterValue,
  OperatorFixture,
  secondsFromNow,
} from '@flashsale/testkit';
import type { RunningOperator } from './operator.ts';

describe('operator: kube-apiserver restart', () => {
  const fixture = new OperatorFixture('op-apiserver');
  let operator: RunningOperator;

  beforeAll(async () => {
    await fixture.setUp();
    // A lease long enough to outlive the restart, so leadership itself is not what is tested.
    operator = await fixture.startOperator('apiserver', {
      LEASE_DURATION_MS: '60000',
      LEASE_RENEW_DEADLINE_MS: '45000',
      LEASE_RETRY_PERIOD_MS: '1000',
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await up();
    await fixture.tearDown();
  }, 120_000);

  it('recovers its watch without a restart and converges on changes made meanwhile', async () => {
    await fixture.createSale('api-before', {
      stock: 5,
      startsAt: secondsFromNow(3600),
      endsAt: secondsFromNow(7200),
    });
    await fixture.waitForStatus(
      'api-before',
      'configured',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
    );

    await stop('kube-apiserver');
    await up();
    await fixture.createSale('api-after', {
      stock: 7,
      startsAt: secondsFromNow(3600),
      endsAt: secondsFromNow(7200),
    });
    await fixture.patchSpec('api-before', { stock: 9 });

    const after = await fixture.waitForStatus(
      'api-after',
      'configured',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
      45_000,
    );
    expect(after.stock).toBe(7);
    const before = await fixture.waitForStatus(
      'api-before',
      'stock 9',
      (s) => s.stock === 9,
      45_000,
    );
    expect(before.remaining).toBe(9);
    expect(await counterValue(operator, 'flashsale_operator_watch_restarts_total')).toBeGreaterThan(
      0,
    );
    expect(operator.isLeader()).toBeTrue();
  }, 120_000);
});
