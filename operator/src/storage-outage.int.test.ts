import { Redis } from 'ioredis';
import { findSale, PurchaseDecider, changesChannelFor } from '@flashsale/platform';
import { stop, up } from '@flashsale/stack';
import {
  eventually,
  stackStartTimeoutMs,
  condition,
  OperatorFixture,
  secondsFromNow,
} from '@flashsale/testkit';
import type { RunningOperator } from './operator.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function metric(operator: RunningOperator, name: string, labels: Record<string, string>) {
  const found = await operator.metrics.registry.getSingleMetric(name)?.get();
  return (found?.values ?? [])
    .filter((value) => Object.entries(labels).every(([key, want]) => value.labels[key] === want))
    .reduce((sum, value) => sum + value.value, 0);
}

async function probe(operator: RunningOperator, path: string): Promise<number> {
  const address = operator.opsServer.address();
  if (typeof address !== 'object' || !address) throw new Error('the ops server has no address');
  return (await fetch(`http://127.0.0.1:${address.port}${path}`)).status;
}

/**
 * Redis and PostgreSQL of the stack really stopped under a running operator. Every call the
 * operator makes to them has a timeout, so an outage fails reconciles (retried) rather than
 * hanging its workers; PostgreSQL only feeds the best-effort `persisted` figure and the
 * sales table, so its outage does not stop sales being configured and reported.
 */
describe('operator: Redis and PostgreSQL outages', () => {
  const fixture = new OperatorFixture('op-outage');
  let operator: RunningOperator;

  beforeAll(async () => {
    await fixture.setUp();
    operator = await fixture.startOperator('op-outage', {
      REDIS_COMMAND_TIMEOUT_MS: '1000',
      DATABASE_QUERY_TIMEOUT_MS: '1000',
      RECONCILE_DEADLINE_MS: '8000',
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    // Whatever happened, the stack is whole again before anything else runs.
    await up();
    await fixture.tearDown();
  }, 180_000);

  it('fails reconciles within their timeouts while Redis is down, stays live, and converges after', async () => {
    await fixture.createSale('outage-keep', {
      stock: 5,
      startsAt: secondsFromNow(3600),
      endsAt: secondsFromNow(7200),
    });
    await fixture.createSale('outage-delete', {
      stock: 5,
      startsAt: secondsFromNow(3600),
      endsAt: secondsFromNow(7200),
    });
    for (const name of ['outage-keep', 'outage-delete'])
      await fixture.waitForStatus(
        name,
        'configured',
        (s) => condition(s, 'StockConfigured')?.status === 'True',
      );
    const errorsBefore = await metric(operator, 'flashsale_operator_reconcile_total', {
      result: 'error',
    });

    await stop('redis');
    try {
      await fixture.createSale('outage-new', {
        stock: 7,
        startsAt: secondsFromNow(3600),
        endsAt: secondsFromNow(7200),
      });
      await fixture.patchSpec('outage-keep', { stock: 9 });
      await fixture.deleteSale('outage-delete');
      // Each of them fails (it does not hang) and is retried with backoff.
      await eventually(
        'reconciles to fail while Redis is down',
        async () => {
          const errors = await metric(operator, 'flashsale_operator_reconcile_total', {
            result: 'error',
          });
          return errors - errorsBefore >= 3 ? true : undefined;
        },
        30_000,
      );
      expect(await probe(operator, '/healthz')).toBe(200);
      expect(await probe(operator, '/readyz')).toBe(503);
    } finally {
      await up();
    }

    const created = await fixture.waitForStatus(
      'outage-new',
      'configured after the outage',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
      60_000,
    );
    expect(created).toEqual(jasmine.objectContaining({ stock: 7, remaining: 7 }));
    const patched = await fixture.waitForStatus('outage-keep', 'stock 9', (s) => s.stock === 9);
    expect(patched.remaining).toBe(9);
    await eventually('the deleted sale to be gone', async () =>
      (await fixture.getSale('outage-delete').then(
        () => false,
        () => true,
      ))
        ? true
        : undefined,
    );
    expect(await fixture.store.read('outage-delete')).toBeUndefined();
    expect(await probe(operator, '/healthz')).toBe(200);
  }, 180_000);

  it('keeps writing the status while PostgreSQL is down, configuring each sale once', async () => {
    await fixture.createSale('pg-live', {
      stock: 5,
      startsAt: secondsFromNow(-60),
      endsAt: secondsFromNow(3600),
    });
    await fixture.waitForStatus('pg-live', 'Active', (s) => s.state === 'Active');
    // Creation can configure twice (the finalizer's own watch event races the first status
    // write); let that settle so that only what the outage causes is counted.
    await sleep(2000);
    const decider = new PurchaseDecider(fixture.redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    const subscriber = new Redis(fixture.stack.REDIS_URL);
    const configures: string[] = []; // changes announced: configures and purchases
    await subscriber.subscribe(changesChannelFor(fixture.names.redisPrefix));
    subscriber.on('message', (_channel: string, name: string) => configures.push(name));

    await stop('postgresql');
    try {
      await fixture.createSale('pg-new', {
        stock: 6,
        startsAt: secondsFromNow(-60),
        endsAt: secondsFromNow(3600),
      });
      expect((await decider.decide({ sale: 'pg-live', userId: 'ann', quantity: 2 })).outcome).toBe(
        'confirmed',
      );

      const fresh = await fixture.waitForStatus(
        'pg-new',
        'Active without PostgreSQL',
        (s) => s.state === 'Active' && condition(s, 'StockConfigured')?.status === 'True',
      );
      expect(fresh).toEqual(jasmine.objectContaining({ stock: 6, sold: 0, remaining: 6 }));
      const live = await fixture.waitForStatus(
        'pg-live',
        'sold 2 without PostgreSQL',
        (s) => s.sold === 2,
      );
      // The last persisted figure stays; everything Redis knows is current.
      expect(live).toEqual(
        jasmine.objectContaining({ stock: 5, sold: 2, remaining: 3, persisted: 0 }),
      );
      // Several refresh periods (1 s here) of retrying the sales row: Redis configured once.
      // (A confirmed purchase announces itself on the same channel: pg-live's one is there.)
      await sleep(4000);
      expect(configures.filter((name) => name === 'pg-new')).toEqual(['pg-new']);
      expect(configures.filter((name) => name === 'pg-live')).toEqual(['pg-live']);
      expect(
        await metric(operator, 'flashsale_operator_storage_errors_total', { store: 'postgresql' }),
      ).toBeGreaterThan(0);
    } finally {
      await up();
      subscriber.disconnect();
    }
    // The sales row refused during the outage is written once PostgreSQL is back.
    const row = await eventually(
      'the sales row of pg-new',
      () => findSale(fixture.database, 'pg-new'),
      30_000,
    );
    expect(row.stock).toBe(6);
    expect(configures.filter((name) => name === 'pg-new')).toEqual(['pg-new']);
  }, 120_000);
});
