import type { Sequelize } from 'sequelize';
import { createLogger } from '@flashsale/runtime';
import type { SaleStore } from '@flashsale/platform';
import { toSale } from '@flashsale/platform';
import { Counter, Registry } from 'prom-client';
import type { CapacityController } from './capacity.ts';
import { ServerClock } from './clock.ts';
import { Reason } from './conditions.ts';
import type { FlashSaleStatus } from '../api/v1alpha1/index.ts';
import type { EventRecorder } from './events.ts';
import { cleanupFinalizer, type FlashSaleApi, type FlashSaleObject } from './flash-sale-api.ts';
import { FlashSaleReconciler } from './reconciler.ts';
import { ManualClock } from '@flashsale/testkit';

/**
 * Which clock the reconciler judges a sale's window on, with its storage replaced by fakes
 * (pure decision logic; the integration specs cover the real Redis and API server). Redis
 * is one minute ahead of the operator's machine here.
 */
describe('operator: sale time boundaries follow the Redis clock', () => {
  const redisNow = new Date('2026-06-01T12:00:00Z');
  const startsAt = new Date(redisNow.getTime() + 10_000);
  const endsAt = new Date(redisNow.getTime() + 3_600_000);
  const definition = {
    name: 'clocked',
    sku: 'SKU-1',
    title: 'Clocked',
    priceCents: 100,
    stock: 10,
    perUserLimit: 1,
    startsAt,
    endsAt,
  };

  function reconcilerWith(written: FlashSaleStatus[]): FlashSaleReconciler {
    const local = new ManualClock(new Date(redisNow.getTime() - 60_000));
    const sale: FlashSaleObject = {
      apiVersion: 'flashsale.io/v1alpha1',
      kind: 'FlashSale',
      metadata: {
        name: 'clocked',
        namespace: 'ns',
        generation: 1,
        resourceVersion: '1',
        finalizers: [cleanupFinalizer],
      },
      spec: {
        product: { sku: 'SKU-1', title: 'Clocked', priceCents: 100 },
        stock: 10,
        perUserLimit: 1,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        capacity: { minReplicas: 3, warmupSeconds: 30 },
      },
    };
    const store = {
      read: () => Promise.resolve(toSale(definition, 10, redisNow)),
      levels: () => Promise.resolve({ stock: 10, sold: 0, remaining: 10, outboxPending: 0 }),
      configure: () => Promise.resolve({ status: 'ok', sold: 0, remaining: 10, generation: 1 }),
      claim: () =>
        Promise.resolve({
          status: 'ok',
          sold: 0,
          remaining: 10,
          generation: 1,
          owner: 'ns/uid',
          incarnation: 'uid',
          incarnationStartedAt: redisNow,
        }),
      incarnationStartedAt: () => Promise.resolve(redisNow),
    } as unknown as SaleStore;
    const api = {
      writeStatus: (object: FlashSaleObject, status: FlashSaleStatus) => {
        written.push(status);
        return Promise.resolve(object);
      },
    } as unknown as FlashSaleApi;
    const database = {
      query: () => Promise.resolve([{ units: '0' }]),
    } as unknown as Sequelize;
    const registry = new Registry();
    const counter = (name: string) =>
      new Counter({ name, help: name, labelNames: ['store'], registers: [registry] });
    return new FlashSaleReconciler({
      api,
      cached: () => sale,
      store,
      database,
      events: { record: () => Promise.resolve() } as unknown as EventRecorder,
      capacity: { fleet: 'not_configured' } as unknown as CapacityController,
      activeRefreshMs: 5000,
      logger: createLogger('operator', 'silent'),
      serverClock: new ServerClock(local),
      metrics: { statusWrites: counter('writes'), storageErrors: counter('errors') },
    });
  }

  it('wakes at the start by Redis time and applies the warm-up window by Redis time', async () => {
    const written: FlashSaleStatus[] = [];
    const outcome = await reconcilerWith(written).reconcile('ns/clocked');
    // 10 s to the start on Redis's clock (70 s on the local one), plus the 50 ms landing slack.
    expect(outcome.requeueAfterMs).toBe(10_050);
    expect(written.length).toBe(1);
    expect(written[0]?.state).toBe('Upcoming');
    // Warm-up began 20 s ago by Redis time (by the local clock it is 40 s away).
    const capacity = written[0]?.conditions?.find((c) => c.type === 'CapacityReady');
    expect(capacity?.reason).toBe(Reason.FleetNotConfigured);
    expect(capacity?.lastTransitionTime).toBe('2026-06-01T12:00:00Z');
  });
});
