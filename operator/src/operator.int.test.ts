import { PurchaseDecider, findSale, saleKeys } from '@flashsale/platform';
import {
  eventually,
  stackStartTimeoutMs,
  condition,
  OperatorFixture,
  secondsFromNow,
  keysMatching,
} from '@flashsale/testkit';
import { Reason } from './conditions.ts';
import { cleanupFinalizer } from './flash-sale-api.ts';
import type { RunningOperator } from './operator.ts';

describe('operator: FlashSale lifecycle', () => {
  const fixture = new OperatorFixture('op-life');
  let operator: RunningOperator;

  beforeAll(async () => {
    await fixture.setUp();
    operator = await fixture.startOperator('op-life-a');
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await fixture.tearDown();
  }, 60_000);

  it('configures Redis and PostgreSQL on apply and reports Upcoming, StockConfigured and Ready', async () => {
    const started = Date.now();
    await fixture.createSale('life-upcoming', {
      stock: 100,
      startsAt: secondsFromNow(3600),
      endsAt: secondsFromNow(7200),
    });
    const status = await fixture.waitForStatus(
      'life-upcoming',
      'StockConfigured',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
    );
    console.log(`operator: apply → StockConfigured took ${Date.now() - started} ms`);
    expect(status.state).toBe('Upcoming');
    expect(status).toEqual(
      jasmine.objectContaining({ stock: 100, sold: 0, remaining: 100, persisted: 0 }),
    );
    expect(status.observedGeneration).toBe(1);
    expect(condition(status, 'Ready')?.status).toBe('True');
    expect(condition(status, 'Degraded')?.status).toBe('False');
    expect(condition(status, 'CapacityReady')?.reason).toBe(Reason.NoCapacityRequested);

    const sale = await fixture.store.read('life-upcoming');
    expect(sale).toEqual(
      jasmine.objectContaining({ stock: 100, remaining: 100, state: 'upcoming' }),
    );
    const row = await findSale(fixture.database, 'life-upcoming');
    expect(row?.stock).toBe(100);
    expect((await fixture.getSale('life-upcoming')).metadata.finalizers).toContain(
      cleanupFinalizer,
    );
    expect(operator.isLeader()).toBeTrue();
  });

  it('moves Upcoming → Active → SoldOut → Ended, in status and in Events', async () => {
    // Margins for a loaded machine: Upcoming must be observed before the start, and the
    // purchases must land before the end.
    const startsAt = secondsFromNow(6);
    const endsAt = secondsFromNow(14);
    await fixture.createSale('life-run', { stock: 3, startsAt, endsAt });
    await fixture.waitForStatus('life-run', 'Upcoming', (s) => s.state === 'Upcoming');
    await fixture.waitForStatus('life-run', 'Active', (s) => s.state === 'Active', 10_000);
    console.log(`operator: start time → Active took ${Date.now() - startsAt.getTime()} ms`);

    const decider = new PurchaseDecider(fixture.redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    for (const userId of ['ann', 'bob', 'cid']) {
      const decision = await decider.decide({ sale: 'life-run', userId, quantity: 1 });
      expect(decision.outcome).toBe('confirmed');
    }
    const soldOut = await fixture.waitForStatus(
      'life-run',
      'SoldOut',
      (s) => s.state === 'SoldOut',
      10_000,
    );
    expect(soldOut).toEqual(jasmine.objectContaining({ stock: 3, sold: 3, remaining: 0 }));
    await fixture.waitForStatus('life-run', 'Ended', (s) => s.state === 'Ended', 20_000);

    // The Event of a transition is written after the status that shows it: wait for it.
    const transitionsSoFar = async (): Promise<Array<string | undefined>> =>
      (await fixture.events('life-run'))
        .filter((e) => e.reason === 'StateChanged')
        .map((e) => e.message);
    const transitions = await eventually('the SoldOut → Ended Event', async () => {
      const seen = await transitionsSoFar();
      return seen.includes('SoldOut → Ended') ? seen : undefined;
    });
    expect(transitions).toEqual([
      'New → Upcoming',
      'Upcoming → Active',
      'Active → SoldOut',
      'SoldOut → Ended',
    ]);
  });

  it('restocks, and refuses stock below what is sold with Degraded and Redis unchanged', async () => {
    await fixture.createSale('life-stock', {
      stock: 5,
      startsAt: secondsFromNow(-60),
      endsAt: secondsFromNow(3600),
    });
    await fixture.waitForStatus('life-stock', 'Active', (s) => s.state === 'Active');
    const decider = new PurchaseDecider(fixture.redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    expect((await decider.decide({ sale: 'life-stock', userId: 'ann', quantity: 4 })).outcome).toBe(
      'confirmed',
    );

    await fixture.patchSpec('life-stock', { stock: 8 });
    const restocked = await fixture.waitForStatus(
      'life-stock',
      'stock 8',
      (s) => s.stock === 8 && s.remaining === 4,
    );
    expect(restocked.sold).toBe(4);
    expect(await fixture.redis.get(saleKeys('life-stock').remaining)).toBe('4');
    const configuredBefore = condition(restocked, 'StockConfigured');

    await fixture.patchSpec('life-stock', { stock: 3 });
    const refused = await fixture.waitForStatus(
      'life-stock',
      'Degraded',
      (s) => condition(s, 'Degraded')?.status === 'True',
    );
    expect(condition(refused, 'Degraded')?.reason).toBe(Reason.StockBelowSold);
    expect(condition(refused, 'Degraded')?.message).toContain(
      'stock 3 is below the 4 units already sold',
    );
    expect(condition(refused, 'StockConfigured')).toEqual(configuredBefore);
    expect(condition(refused, 'Ready')?.status).toBe('False');
    expect(refused).toEqual(
      jasmine.objectContaining({ stock: 8, remaining: 4, observedGeneration: 3 }),
    );
    expect(await fixture.redis.hget(saleKeys('life-stock').config, 'stock')).toBe('8');
    expect(await fixture.redis.get(saleKeys('life-stock').remaining)).toBe('4');
    const warnings = (await fixture.events('life-stock')).filter(
      (e) => e.reason === Reason.StockBelowSold,
    );
    expect(warnings.length).toBe(1);
    expect(warnings[0]?.type).toBe('Warning');
  });

  it('deletes a FlashSale only after its outbox is relayed: stopped first, Deleting meanwhile, keys gone after', async () => {
    await fixture.createSale('life-delete', {
      stock: 5,
      startsAt: secondsFromNow(-60),
      endsAt: secondsFromNow(3600),
    });
    await fixture.waitForStatus(
      'life-delete',
      'configured',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
    );
    const decider = new PurchaseDecider(fixture.redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    expect(
      (await decider.decide({ sale: 'life-delete', userId: 'ann', quantity: 1 })).outcome,
    ).toBe('confirmed');
    const outbox = saleKeys('life-delete').outbox;
    expect(await fixture.redis.xlen(outbox)).toBe(1);

    await fixture.deleteSale('life-delete');
    // No relay runs in this spec: the purchase waits in the outbox, and so does the deletion.
    const draining = await fixture.waitForStatus(
      'life-delete',
      'Deleting',
      (s) => condition(s, 'Deleting')?.status === 'True',
    );
    expect(condition(draining, 'Deleting')?.reason).toBe(Reason.OutboxDraining);
    expect(condition(draining, 'Ready')?.status).toBe('False');
    expect(
      (await decider.decide({ sale: 'life-delete', userId: 'bob', quantity: 1 })).outcome,
    ).toBe('ended');
    expect(await fixture.redis.xlen(outbox)).toBe(1);
    const drainingEvents = (await fixture.events('life-delete')).filter(
      (e) => e.reason === Reason.OutboxDraining,
    );
    expect(drainingEvents.length).toBe(1);

    // What the relay does once Kafka has the entry: acknowledge and delete it.
    await fixture.redis.xgroup('CREATE', outbox, 'relay', '0', 'MKSTREAM').catch(() => undefined);
    const read = (await fixture.redis.xreadgroup(
      'GROUP',
      'relay',
      'spec',
      'STREAMS',
      outbox,
      '>',
    )) as [string, [string, string[]][]][];
    const ids = read[0]?.[1].map(([id]) => id) ?? [];
    expect(ids.length).toBe(1);
    expect((await fixture.getSale('life-delete')).metadata.name).toBe('life-delete');
    await fixture.redis.xack(outbox, 'relay', ...ids);
    await fixture.redis.xdel(outbox, ...ids);

    await eventually('life-delete to be gone once its outbox drained', () =>
      fixture.getSale('life-delete').then(
        () => undefined,
        () => true,
      ),
    );
    expect(
      await keysMatching(fixture.redis, `${fixture.names.redisPrefix}flashsale:{life-delete}:*`),
    ).toEqual([]);
    expect(await fixture.store.read('life-delete')).toBeUndefined();
  });
});
