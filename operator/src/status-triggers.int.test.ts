import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import {
  stackStartTimeoutMs,
  condition,
  counterValue,
  OperatorFixture,
  secondsFromNow,
} from '@flashsale/testkit';
import type { RunningOperator } from './operator.ts';

const reconciles = 'flashsale_operator_reconcile_total';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('operator: status writes wake no reconcile', () => {
  const fixture = new OperatorFixture('op-triggers');
  let operator: RunningOperator;

  beforeAll(async () => {
    await fixture.setUp();
    operator = await fixture.startOperator('op-triggers');
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await fixture.tearDown();
  }, 60_000);

  it('ignores status-only updates and reconciles on an annotation change', async () => {
    // An hour ahead: nothing but an event can wake this sale during the spec.
    await fixture.createSale('quiet', {
      stock: 5,
      startsAt: secondsFromNow(3600),
      endsAt: secondsFromNow(7200),
    });
    await fixture.waitForStatus(
      'quiet',
      'configured',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
    );
    await sleep(1500);
    const settled = await counterValue(operator, reconciles);

    // Five status updates, each a new resourceVersion as the operator's own writes are.
    for (let round = 1; round <= 5; round += 1) {
      await fixture.custom.patchNamespacedCustomObjectStatus(
        { ...fixture.target(), name: 'quiet', body: { status: { sold: round } } },
        mergePatch,
      );
    }
    await sleep(2000);
    expect(await counterValue(operator, reconciles)).toBe(settled);

    // An annotation is the way to ask for a reconcile by hand: it puts the figures right.
    await fixture.custom.patchNamespacedCustomObject(
      {
        ...fixture.target(),
        name: 'quiet',
        body: { metadata: { annotations: { 'flashsale.io/reconcile': String(Date.now()) } } },
      },
      mergePatch,
    );
    const corrected = await fixture.waitForStatus('quiet', 'sold 0 again', (s) => s.sold === 0);
    expect(corrected).toEqual(jasmine.objectContaining({ stock: 5, sold: 0, remaining: 5 }));
    expect(await counterValue(operator, reconciles)).toBeGreaterThan(settled);
  });
});
