import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { PurchaseDecider, findSale, findSaleIdentity, saleKeys } from '@flashsale/platform';
import {
  eventually,
  stackStartTimeoutMs,
  condition,
  OperatorFixture,
  secondsFromNow,
} from '@flashsale/testkit';
import { Reason } from './conditions.ts';
import {
  flashSaleGroup,
  flashSalePlural,
  flashSaleVersion,
  type FlashSaleStatus,
} from '../api/v1alpha1/index.ts';
import type { FlashSaleObject } from './flash-sale-api.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Two namespaces on one Redis and one database, each watched by its own operator (the way
 * two teams' operators, or one cluster-wide operator, see them): a sale name is a public URL,
 * so the first FlashSale to configure it owns it, and a same-named FlashSale elsewhere is
 * refused without touching the owner's sale — also when it is deleted.
 */
describe('operator: sale names are owned across namespaces', () => {
  const fixture = new OperatorFixture('op-owner');
  const other = `${fixture.namespace}-b`;
  const inOther = () => ({
    group: flashSaleGroup,
    version: flashSaleVersion,
    plural: flashSalePlural,
    namespace: other,
  });

  beforeAll(async () => {
    await fixture.setUp();
    await fixture.core.createNamespace({ body: { metadata: { name: other } } });
    await fixture.startOperator('op-owner-a');
    await fixture.startOperator('op-owner-b', {
      OPERATOR_NAMESPACE: other,
      WATCH_NAMESPACE: other,
      LEASE_NAME: `flashsale-operator-${fixture.names.id}-b`,
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    const list = (await fixture.custom
      .listNamespacedCustomObject(inOther())
      .catch(() => ({ items: [] }))) as { items: FlashSaleObject[] };
    for (const sale of list.items) {
      const body = { metadata: { finalizers: null } };
      const target = { ...inOther(), name: sale.metadata.name };
      await fixture.custom
        .patchNamespacedCustomObject({ ...target, body }, mergePatch)
        .catch(() => undefined);
      await fixture.custom.deleteNamespacedCustomObject(target).catch(() => undefined);
    }
    await fixture.core.deleteNamespace({ name: other }).catch(() => undefined);
    await fixture.tearDown();
  }, 60_000);

  const otherSale = async (name: string): Promise<FlashSaleObject | undefined> =>
    (await fixture.custom
      .getNamespacedCustomObject({ ...inOther(), name })
      .catch(() => undefined)) as FlashSaleObject | undefined;

  function expectRefusedByName(refused: FlashSaleStatus | undefined, owner: string): void {
    expect(condition(refused, 'Degraded')?.reason).toBe(Reason.NameConflict);
    expect(condition(refused, 'Degraded')?.message).toContain(owner);
    expect(condition(refused, 'StockConfigured')?.status).toBe('False');
    expect(condition(refused, 'Ready')?.status).toBe('False');
    expect(refused?.stock).toBeUndefined();
  }

  it('refuses a same-named FlashSale in another namespace with NameConflict, and deleting it leaves the owner’s sale alone', async () => {
    const owner = await fixture.createSale('drop', {
      stock: 10,
      startsAt: secondsFromNow(-60),
      endsAt: secondsFromNow(3600),
    });
    await fixture.waitForStatus(
      'drop',
      'configured',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
    );
    const decider = new PurchaseDecider(fixture.redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    expect((await decider.decide({ sale: 'drop', userId: 'ann', quantity: 1 })).outcome).toBe(
      'confirmed',
    );
    const configBefore = await fixture.redis.hgetall(saleKeys('drop').config);
    expect(configBefore.owner).toBe(`${fixture.namespace}/${owner.metadata.uid}`);
    expect((await findSaleIdentity(fixture.database, 'drop'))?.owner).toBe(configBefore.owner);

    await fixture.custom.createNamespacedCustomObject({
      ...inOther(),
      body: {
        apiVersion: `${flashSaleGroup}/${flashSaleVersion}`,
        kind: 'FlashSale',
        metadata: { name: 'drop' },
        spec: fixture.specOf({
          stock: 99,
          perUserLimit: 5,
          startsAt: secondsFromNow(-60),
          endsAt: secondsFromNow(3600),
        }),
      },
    });
    const refused = await eventually('b/drop to be refused', async () => {
      const status = (await otherSale('drop'))?.status;
      return condition(status, 'Degraded')?.status === 'True' ? status : undefined;
    });
    expectRefusedByName(refused, configBefore.owner ?? '-');
    const events = await fixture.core.listNamespacedEvent({
      namespace: other,
      fieldSelector: 'involvedObject.name=drop',
    });
    expect(events.items.filter((e) => e.reason === Reason.NameConflict).length).toBe(1);

    // Nothing of the owner's sale changed, in Redis or in the sales table.
    expect(await fixture.redis.hgetall(saleKeys('drop').config)).toEqual(configBefore);
    expect(await fixture.redis.get(saleKeys('drop').remaining)).toBe('9');
    const row = await findSale(fixture.database, 'drop');
    expect(row).toEqual(jasmine.objectContaining({ stock: 10, perUserLimit: 10 }));

    await fixture.custom.deleteNamespacedCustomObject({ ...inOther(), name: 'drop' });
    await eventually('b/drop to be deleted', async () =>
      (await otherSale('drop')) ? undefined : true,
    );
    expect(await fixture.redis.hgetall(saleKeys('drop').config)).toEqual(configBefore);
    expect((await fixture.store.read('drop'))?.remaining).toBe(9);
    expect((await decider.decide({ sale: 'drop', userId: 'bob', quantity: 1 })).outcome).toBe(
      'confirmed',
    );
    expect((await findSaleIdentity(fixture.database, 'drop'))?.owner).toBe(configBefore.owner);
  });
});
