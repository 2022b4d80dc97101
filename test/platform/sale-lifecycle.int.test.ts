import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { SignJWT } from 'jose';
import { QueryTypes, Sequelize } from 'sequelize';
import { Reason, reseedAnnotation, reseedFromDatabase } from '@flashsale/operator';
import {
  condition,
  OperatorFixture,
  secondsFromNow,
  eventually,
  isolatedNames,
  IsolatedPlatform,
  stackStartTimeoutMs,
  useStack,
  keysMatching,
  onEveryMaster,
} from '@flashsale/testkit';
import {
  persistedPurchases,
  persistedUnits,
  findSaleIdentity,
  saleKeys,
  deleteSaleStep,
  SaleStore,
  verifySale,
  verifyWhenDrained,
} from '@flashsale/platform';
import { stop as stopComponent, up } from '@flashsale/stack';
import { redisClient, type RedisClient } from '@flashsale/runtime';

interface Attempt {
  readonly status: number;
  readonly purchaseId?: string;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * The life of a sale under faults, with real processes: an operator reconciling FlashSales
 * through the kube-apiserver, API, relay and persister on the real Redis, Kafka and
 * PostgreSQL. Deletion while Kafka is down, keys lost from Redis (one sale, then FLUSHALL),
 * and verification that can fail. See docs/sale-lifecycle.md.
 */
describe('sale lifecycle (operator and processes, faults)', () => {
  const fixture = new OperatorFixture('lifecycle');
  let platform: IsolatedPlatform;
  let redis: RedisClient;
  let sales: SaleStore;
  let database: Sequelize;
  let apiUrl = '';

  async function token(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(platform.secret));
  }

  async function buy(sale: string, userId: string, quantity = 1): Promise<Attempt> {
    const response = await fetch(`${apiUrl}/api/sales/${sale}/purchases`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await token(userId)}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ quantity }),
    });
    const body = (await response.json()) as { purchaseId?: string };
    return body.purchaseId
      ? { status: response.status, purchaseId: body.purchaseId }
      : { status: response.status };
  }

  async function purchasesOf(sale: string, userId: string): Promise<unknown> {
    const response = await fetch(`${apiUrl}/api/sales/${sale}/purchases/me`, {
      headers: { Authorization: `Bearer ${await token(userId)}` },
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  const crowd = (sale: string, users: number, prefix: string): Promise<Attempt[]> =>
    Promise.all(Array.from({ length: users }, (_, index) => buy(sale, `${prefix}-${index}`)));

  const confirmed = (attempts: readonly Attempt[]): number =>
    attempts.filter((attempt) => attempt.status === 201).length;

  async function activeSale(name: string, stock: number, perUserLimit = 1): Promise<void> {
    await fixture.createSale(name, {
      stock,
      perUserLimit,
      startsAt: secondsFromNow(-60),
      endsAt: secondsFromNow(3600),
    });
    await fixture.waitForStatus(
      name,
      'StockConfigured',
      (s) => condition(s, 'StockConfigured')?.status === 'True',
    );
  }

  async function persistedReaches(sale: string, units: number): Promise<void> {
    await eventually(
      `${units} units of ${sale} in PostgreSQL`,
      async () => ((await persistedUnits(database, sale)) === units ? true : undefined),
      60_000,
    );
  }

  async function gone(name: string, timeoutMs: number): Promise<void> {
    await eventually(
      `FlashSale ${name} to be deleted`,
      async () => ((await fixture.getSale(name).catch(() => undefined)) ? undefined : true),
      timeoutMs,
    );
  }

  const unitsOf = async (sale: string, userId: string): Promise<number> =>
    (await persistedPurchases(database, sale))
      .filter((row) => row.userId === userId)
      .reduce((sum, row) => sum + row.quantity, 0);

  beforeAll(async () => {
    const stack = await useStack();
    await fixture.setUp();
    platform = new IsolatedPlatform(isolatedNames('lifecycle-p'), stack);
    await platform.prepare();
    redis = redisClient(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    sales = new SaleStore(redis);
    database = new Sequelize(platform.database, { logging: false });
    await platform.start('persister');
    apiUrl = await platform.start('api');
    await platform.start('relay');
    await fixture.startOperator('lifecycle-op', {
      REDIS_KEY_PREFIX: platform.names.redisPrefix,
      DATABASE_URL: platform.database,
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await up();
    redis.disconnect();
    await database.close();
    await fixture.tearDown();
    await platform.cleanUp();
  }, 120_000);

  it('deletes a FlashSale during a Kafka outage only after its outbox reached PostgreSQL', async () => {
    await activeSale('del-drop', 100);
    await stopComponent('kafka');
    const duringOutage = await crowd('del-drop', 40, 'outage');
    expect(confirmed(duringOutage)).toBe(40);
    expect((await sales.outboxBacklog('del-drop')).length).toBe(40);

    await fixture.deleteSale('del-drop');
    const draining = await fixture.waitForStatus(
      'del-drop',
      'Deleting',
      (s) => condition(s, 'Deleting')?.status === 'True',
    );
    expect(condition(draining, 'Deleting')?.reason).toBe(Reason.OutboxDraining);
    expect(condition(draining, 'Deleting')?.message).toContain('40 purchases in the outbox');
    const events = await fixture.events('del-drop');
    expect(events.filter((e) => e.reason === Reason.OutboxDraining).length).toBe(1);
    // Stopped: nobody buys any more, and every purchase still waits in Redis.
    expect((await buy('del-drop', 'late')).status).toBe(409);
    expect((await sales.outboxBacklog('del-drop')).length).toBe(40);
    expect((await fixture.getSale('del-drop')).metadata.deletionTimestamp).toBeDefined();

    const kafkaBack = Date.now();
    await up();
    await gone('del-drop', 120_000);
    console.log(
      `sale lifecycle: 40-entry outbox drained, sale deleted ${Date.now() - kafkaBack} ms after Kafka returned`,
    );
    await persistedReaches('del-drop', 40);
    const stored = new Set(
      (await persistedPurchases(database, 'del-drop')).map((r) => r.purchaseId),
    );
    expect(duringOutage.filter((a) => !stored.has(a.purchaseId ?? ''))).toEqual([]);
    expect(
      await keysMatching(redis, `${platform.names.redisPrefix}flashsale:{del-drop}:*`),
    ).toEqual([]);
    expect(await findSaleIdentity(database, 'del-drop')).toBeUndefined();
  }, 240_000);

  async function expectStockLost(name: string, proven: number): Promise<void> {
    const lost = await fixture.waitForStatus(
      name,
      'StockLost',
      (s) => condition(s, 'Degraded')?.reason === Reason.StockLost,
      30_000,
    );
    expect(condition(lost, 'Degraded')?.message).toContain(`prove ${proven} of`);
    expect(condition(lost, 'Ready')?.status).toBe('False');
    const warnings = (await fixture.events(name)).filter((e) => e.reason === Reason.StockLost);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    // Nothing reseeded on its own: the sale does not sell.
    expect(await sales.read(name)).toBeUndefined();
    expect((await buy(name, 'eager')).status).toBe(404);
  }

  async function reseed(name: string): Promise<void> {
    await fixture.custom.patchNamespacedCustomObject(
      {
        ...fixture.target(),
        name,
        body: { metadata: { annotations: { [reseedAnnotation]: reseedFromDatabase } } },
      },
      mergePatch,
    );
    await fixture.waitForStatus(
      name,
      'reseeded',
      (s) => condition(s, 'StockConfigured')?.status === 'True' && s.remaining !== undefined,
      30_000,
    );
  }

  it('never sells the stock twice when one sale loses its Redis keys mid-sale', async () => {
    await activeSale('lost-drop', 5, 2);
    const annBought = await buy('lost-drop', 'ann', 2);
    expect(annBought.status).toBe(201);
    expect((await buy('lost-drop', 'bob', 1)).status).toBe(201);
    await persistedReaches('lost-drop', 3);

    const keys = await keysMatching(redis, `${platform.names.redisPrefix}flashsale:{lost-drop}:*`);
    await redis.unlink(...keys.map((key) => key.slice(platform.names.redisPrefix.length)));
    await expectStockLost('lost-drop', 3);

    await reseed('lost-drop');
    expect((await sales.read('lost-drop'))?.remaining).toBe(2);
    // Ann still finds her purchase behind /purchases/me, from PostgreSQL's row.
    expect(await purchasesOf('lost-drop', 'ann')).toEqual([
      jasmine.objectContaining({
        purchaseId: annBought.purchaseId ?? 'missing',
        userId: 'ann',
        quantity: 2,
      }),
    ]);
    expect((await buy('lost-drop', 'ann', 1)).status).toBe(409);
    expect(confirmed(await crowd('lost-drop', 10, 'after-loss'))).toBe(2);
    await persistedReaches('lost-drop', 5);
    expect(await unitsOf('lost-drop', 'ann')).toBe(2);
    const verification = await verifyWhenDrained(
      () => verifySale(sales, database, 'lost-drop'),
      30_000,
    );
    expect(verification?.problems).toEqual([]);
  }, 180_000);

  it('never sells the stock twice after a full Redis FLUSHALL', async () => {
    await activeSale('flushed-drop', 4, 2);
    expect((await buy('flushed-drop', 'cid', 2)).status).toBe(201);
    await persistedReaches('flushed-drop', 2);

    // On a cluster FLUSHALL is per master: every master is flushed.
    await onEveryMaster(redis, 'FLUSHALL');
    await expectStockLost('flushed-drop', 2);
    await reseed('flushed-drop');
    expect((await sales.read('flushed-drop'))?.remaining).toBe(2);
    expect((await buy('flushed-drop', 'cid', 1)).status).toBe(409);
    expect(confirmed(await crowd('flushed-drop', 8, 'after-flush'))).toBe(2);
    await persistedReaches('flushed-drop', 4);
    // Give a stray oversell time to show up before the final count.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await persistedUnits(database, 'flushed-drop')).toBe(4);
  }, 180_000);

  it('verify fails on a deleted row and on a dropped outbox entry, and judges a re-created sale on its own', async () => {
    const claim = { owner: 'cli', incarnation: 'first' };
    const definition = {
      name: 'audited',
      sku: 'SKU-1',
      title: 'Audited',
      priceCents: 100,
      stock: 20,
      perUserLimit: 1,
      startsAt: new Date(Date.now() - 60_000),
      endsAt: new Date(Date.now() + 3_600_000),
    };
    expect((await sales.claim(definition, 0, claim)).status).toBe('ok');
    expect(confirmed(await crowd('audited', 3, 'first'))).toBe(3);
    const drained = await verifyWhenDrained(() => verifySale(sales, database, 'audited'), 60_000);
    expect(drained?.consistent).withContext(JSON.stringify(drained)).toBeTrue();

    const [row] = await persistedPurchases(database, 'audited');
    await database.query('DELETE FROM purchases WHERE purchase_id = $1', {
      bind: [row?.purchaseId],
      type: QueryTypes.DELETE,
    });
    const missingRow = await verifySale(sales, database, 'audited');
    expect(missingRow?.consistent).toBeFalse();
    expect(missingRow?.problems).toEqual([
      `user ${row?.userId}: the Redis ledger says 1 units, PostgreSQL holds 0 and the outbox 0`,
    ]);

    // A re-created sale of the same name is judged on its own, not against the old rows.
    await eventually('the first incarnation to be deleted', async () =>
      (await deleteSaleStep({ store: sales, database }, 'audited', '')).status === 'removed'
        ? true
        : undefined,
    );
    expect((await sales.claim(definition, 0, { owner: 'cli', incarnation: 'second' })).status).toBe(
      'ok',
    );
    expect(confirmed(await crowd('audited', 2, 'second'))).toBe(2);
    const second = await verifyWhenDrained(() => verifySale(sales, database, 'audited'), 60_000);
    expect(second).toEqual(
      jasmine.objectContaining({ incarnation: 'second', sold: 2, persisted: 2, consistent: true }),
    );

    // With no relay running, the entry is only in the outbox when it is dropped.
    await platform.signal('relay', 'SIGKILL');
    expect((await buy('audited', 'dropped')).status).toBe(201);
    const outbox = saleKeys('audited').outbox;
    const entries = (await redis.xrange(outbox, '-', '+')) as [string, string[]][];
    expect(entries.length).toBe(1);
    await redis.xdel(outbox, entries[0]?.[0] ?? '');
    await platform.start('relay');
    const dropped = await verifyWhenDrained(() => verifySale(sales, database, 'audited'), 15_000);
    expect(dropped).toEqual(
      jasmine.objectContaining({ sold: 3, persisted: 2, outboxPending: 0, consistent: false }),
    );
    expect(dropped?.problems).toEqual([
      'user dropped: the Redis ledger says 1 units, PostgreSQL holds 0 and the outbox 0',
    ]);
  }, 180_000);
});
