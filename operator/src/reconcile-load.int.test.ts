import { Watch } from '@kubernetes/client-node';
import { PurchaseDecider } from '@flashsale/platform';
import {
  stackStartTimeoutMs,
  eventually,
  counterValue,
  OperatorFixture,
  secondsFromNow,
} from '@flashsale/testkit';
import { flashSaleGroup, flashSalePlural, flashSaleVersion } from '../api/v1alpha1/index.ts';
import type { FlashSaleObject } from './flash-sale-api.ts';
import type { RunningOperator } from './operator.ts';

const sales = 500;
const refreshMs = 5000;
const windowMs = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<unknown>) {
  for (let index = 0; index < items.length; index += width)
    await Promise.all(items.slice(index, index + width).map(work));
}

/**
 * The operator's load with many live sales: reconciles and status writes per second while
 * buyers keep every sale's figures moving. Status writes are counted from a watch of the
 * API server (every MODIFIED event of an unchanged generation is one), reconciles from the
 * operator's own counter. It prints the figures and holds the operator to one reconcile per
 * sale per refresh period: its own status writes must not wake it again.
 */
describe('operator: load with 500 active sales', () => {
  const fixture = new OperatorFixture('op-load');
  let operator: RunningOperator;
  const names = Array.from({ length: sales }, (_, index) => `load-${index}`);

  beforeAll(async () => {
    await fixture.setUp();
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await fixture.tearDown();
  }, 300_000);

  it('reconciles each active sale once per refresh period, not once more per status write', async () => {
    await inBatches(names, 20, (name) =>
      fixture.createSale(name, {
        stock: 1_000_000,
        perUserLimit: 1_000_000,
        startsAt: secondsFromNow(-60),
        endsAt: secondsFromNow(3600),
      }),
    );
    operator = await fixture.startOperator('op-load', {
      ACTIVE_REFRESH_MS: String(refreshMs),
    });
    await eventually(
      'every sale to be Active',
      async () => {
        const listed = await fixture.listSales();
        return listed.filter((sale) => sale.status?.state === 'Active').length === sales
          ? true
          : undefined;
      },
      240_000,
    );

    const decider = new PurchaseDecider(fixture.redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    // Buyers: one unit in every sale per refresh period, spread evenly over it.
    let buying = true;
    const buyers = (async () => {
      let turn = 0;
      while (buying) {
        const name = names[turn % sales] ?? 'load-0';
        turn += 1;
        await decider.decide({ sale: name, userId: `u${turn}`, quantity: 1 });
        await sleep(refreshMs / sales);
      }
    })();

    let statusWrites = 0;
    const generations = new Map<string, number>();
    const watch = await new Watch(fixture.kubeConfig).watch(
      `/apis/${flashSaleGroup}/${flashSaleVersion}/namespaces/${fixture.namespace}/${flashSalePlural}`,
      {},
      (phase: string, sale: FlashSaleObject) => {
        const generation = sale.metadata.generation ?? 0;
        const known = generations.get(sale.metadata.name);
        generations.set(sale.metadata.name, generation);
        if (phase === 'MODIFIED' && known === generation) statusWrites += 1;
      },
      () => undefined,
    );
    // Settle: the watch's initial ADDED events, and one refresh period of buyers.
    await sleep(refreshMs);
    statusWrites = 0;
    const reconcilesBefore = await counterValue(operator, 'flashsale_operator_reconcile_total');
    const started = Date.now();
    await sleep(windowMs);
    const seconds = (Date.now() - started) / 1000;
    const reconciles =
      (await counterValue(operator, 'flashsale_operator_reconcile_total')) - reconcilesBefore;
    const writes = statusWrites;
    watch.abort();
    buying = false;
    await buyers;
    await fixture.stopOperator(operator, true);

    const perSecond = (count: number) => (count / seconds).toFixed(1);
    console.log(
      `operator load: ${sales} active sales, refresh ${refreshMs} ms: ` +
        `${perSecond(reconciles)} reconciles/s, ${perSecond(writes)} status writes/s ` +
        `(${reconciles} reconciles, ${writes} status writes in ${seconds.toFixed(1)} s)`,
    );
    const timerReconciles = (sales * seconds * 1000) / refreshMs;
    expect(writes).toBeGreaterThan(0);
    // The refresh timer alone, with a quarter to spare for the fleet-capacity key and for
    // conflicts retried; a reconcile per status write would double it.
    expect(reconciles).toBeLessThan(timerReconciles * 1.25);
  }, 600_000);
});
