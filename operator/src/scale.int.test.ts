import { CustomObjectsApi } from '@kubernetes/client-node';
import {
  stackStartTimeoutMs,
  condition,
  counterValue,
  OperatorFixture,
  secondsFromNow,
} from '@flashsale/testkit';
import { flashSaleGroup, flashSaleVersion } from '../api/v1alpha1/index.ts';
import type { FlashSaleObject } from './flash-sale-api.ts';

const sales = 500;

/** Prints figures (apply → StockConfigured for many sales); asserts only correctness. */
describe('operator: 500 FlashSales', () => {
  const fixture = new OperatorFixture('op-scale');

  beforeAll(async () => {
    await fixture.setUp();
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await fixture.tearDown();
  }, 120_000);

  it('configures every sale and reports the throughput', async () => {
    const operator = await fixture.startOperator('scale', { RECONCILE_CONCURRENCY: '16' });
    const custom = fixture.kubeConfig.makeApiClient(CustomObjectsApi);
    const startsAt = secondsFromNow(3600);
    const endsAt = secondsFromNow(7200);
    const started = Date.now();
    for (let batch = 0; batch < sales; batch += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, sales - batch) }, (_, index) =>
          custom.createNamespacedCustomObject({
            ...fixture.target(),
            body: {
              apiVersion: `${flashSaleGroup}/${flashSaleVersion}`,
              kind: 'FlashSale',
              metadata: { name: `scale-${batch + index}` },
              spec: fixture.specOf({ stock: 100, startsAt, endsAt }),
            },
          }),
        ),
      );
    }
    const created = Date.now();
    let configured = 0;
    while (configured < sales && Date.now() - started < 90_000) {
      const items: FlashSaleObject[] = await fixture.listSales();
      configured = items.filter(
        (sale) => condition(sale.status, 'StockConfigured')?.status === 'True',
      ).length;
      if (configured < sales) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const finished = Date.now();
    const total = await counterValue(operator, 'flashsale_operator_reconcile_total');
    const seconds = (finished - started) / 1000;
    console.log(
      `operator: ${sales} FlashSales created in ${created - started} ms; all StockConfigured ` +
        `${finished - started} ms after the first create; ${total} reconciles ` +
        `(${(total / seconds).toFixed(0)}/s, ${(sales / seconds).toFixed(0)} sales configured/s)`,
    );
    expect(configured).toBe(sales);
    expect((await fixture.store.names()).length).toBe(sales);
    await fixture.stopOperator(operator, true);
  }, 150_000);
});
