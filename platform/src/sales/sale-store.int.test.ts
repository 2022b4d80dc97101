import {
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
  deleteKeysUnderPrefix,
  keysMatching,
} from '@flashsale/testkit';
import { PurchaseDecider } from '../purchases/purchase-decider.ts';
import type { SaleDefinition } from './sale-definition.ts';
import { changesChannelFor, saleKeys, salesIndexKey } from './sale-keys.ts';
import { SaleStore } from './sale-store.ts';
import { duplicateClient, redisClient, type RedisClient } from '@flashsale/runtime';

const minute = 60_000;

function definitionOf(name: string, overrides: Partial<SaleDefinition> = {}): SaleDefinition {
  return {
    name,
    sku: 'TEE-042',
    title: 'Festival tee',
    priceCents: 2500,
    stock: 5,
    perUserLimit: 3,
    startsAt: new Date(Date.now() - minute),
    endsAt: new Date(Date.now() + 60 * minute),
    ...overrides,
  };
}

describe('purchase decision: SaleStore configuration and removal on real Redis', () => {
  const { redisPrefix } = isolatedNames('sale-store');
  let redis: RedisClient;
  let store: SaleStore;
  let decider: PurchaseDecider;

  const sell = async (sale: string, users: readonly string[]): Promise<void> => {
    for (const userId of users) {
      const decision = await decider.decide({ sale, userId, quantity: 1, idempotencyKey: 'k' });
      expect(decision.outcome).toBe('confirmed');
    }
  };

  /** Every key of the sale, as the server names them (with the isolation prefix). */
  const keysOf = (sale: string): Promise<string[]> =>
    keysMatching(redis, `${redisPrefix}${saleKeys(sale).pattern}`);

  beforeAll(async () => {
    const { REDIS_URL } = await useStack();
    redis = redisClient(REDIS_URL, { keyPrefix: redisPrefix });
    store = new SaleStore(redis);
    decider = new PurchaseDecider(redis, {
      rateLimit: 10,
      rateWindowMs: 60_000,
      idempotencyTtlMs: 60_000,
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await deleteKeysUnderPrefix(redis);
    await redis.quit();
  });

  it('configures a sale that reads back as the exact Sale and is listed', async () => {
    const definition = definitionOf('first-config');
    expect(await store.configure(definition)).toEqual({
      status: 'ok',
      sold: 0,
      remaining: 5,
      generation: 0,
    });
    expect(await store.read('first-config')).toEqual({
      name: 'first-config',
      title: 'Festival tee',
      sku: 'TEE-042',
      priceCents: 2500,
      stock: 5,
      remaining: 5,
      perUserLimit: 3,
      startsAt: definition.startsAt.toISOString(),
      endsAt: definition.endsAt.toISOString(),
      state: 'active',
      serverTime: jasmine.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(await store.names()).toContain('first-config');
    expect(await store.read('never-configured')).toBeUndefined();
  });

  it('keeps product.imageUrl and description with the sale, and drops them when unset', async () => {
    const product = {
      imageUrl: 'https://images.example.com/tee.png',
      description: 'Organic cotton, “quoted” and\nmulti-line.',
    };
    await store.configure(definitionOf('with-product', product));
    expect(await store.read('with-product')).toEqual(jasmine.objectContaining(product));
    expect((await store.list()).find((sale) => sale.name === 'with-product')).toEqual(
      jasmine.objectContaining(product),
    );

    await store.configure(definitionOf('with-product'));
    const plain = await store.read('with-product');
    expect(plain && 'imageUrl' in plain).toBeFalse();
    expect(plain && 'description' in plain).toBeFalse();
  });

  it('re-applying the same definition never resets sold stock', async () => {
    const definition = definitionOf('reapplied');
    await store.configure(definition);
    await sell('reapplied', ['u1', 'u2', 'u3']);

    for (let round = 0; round < 3; round += 1) {
      expect(await store.configure(definition)).toEqual({
        status: 'ok',
        sold: 3,
        remaining: 2,
        generation: 0,
      });
    }
    expect(await redis.get(saleKeys('reapplied').remaining)).toBe('2');
    expect(await store.levels('reapplied')).toEqual({
      stock: 5,
      sold: 3,
      remaining: 2,
      outboxPending: 3,
    });
  });

  it('lowering stock but not below what is sold keeps the sold units and shrinks what remains', async () => {
    const definition = definitionOf('lowered', { stock: 10 });
    await store.configure(definition);
    await sell('lowered', ['u1', 'u2']);
    expect(await store.configure({ ...definition, stock: 4 })).toEqual({
      status: 'ok',
      sold: 2,
      remaining: 2,
      generation: 0,
    });
    expect(await store.configure({ ...definition, stock: 2 })).toEqual({
      status: 'ok',
      sold: 2,
      remaining: 0,
      generation: 0,
    });
    expect((await store.read('lowered'))?.state).toBe('sold_out');
  });

  it('refuses a generation older than the stored one and changes nothing', async () => {
    const definition = definitionOf('generations', { stock: 5 });
    expect((await store.configure(definition, 5)).generation).toBe(5);
    await sell('generations', ['u1']);

    expect(await store.configure({ ...definition, stock: 50, title: 'Old' }, 4)).toEqual({
      status: 'stale',
      sold: 1,
      remaining: 4,
      generation: 5,
    });
    const sale = await store.read('generations');
    expect(sale?.stock).toBe(5);
    expect(sale?.remaining).toBe(4);
    expect(sale?.title).toBe('Festival tee');
    expect(await redis.hget(saleKeys('generations').config, 'generation')).toBe('5');

    expect(await store.configure({ ...definition, stock: 7 }, 6)).toEqual({
      status: 'ok',
      sold: 1,
      remaining: 6,
      generation: 6,
    });
  });

  it('publishes a change on its isolated channel when a sale is configured', async () => {
    const subscriber = duplicateClient(redis);
    const received: string[] = [];
    subscriber.on('message', (_channel: string, sale: string) => received.push(sale));
    await subscriber.subscribe(changesChannelFor(redisPrefix));
    try {
      await store.configure(definitionOf('announced'));
      const deadline = Date.now() + 2000;
      while (!received.includes('announced') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toContain('announced');
    } finally {
      await subscriber.quit();
    }
  });

  it('remove deletes every key of the sale and no key of another sale', async () => {
    await store.configure(definitionOf('doomed'));
    await store.configure(definitionOf('doomed-neighbour'));
    await sell('doomed', ['u1', 'u2']);
    await sell('doomed-neighbour', ['u1']);
    // Every kind of key: config, remaining, buyers, outbox, idempotency, user list, rate limit.
    expect((await keysOf('doomed')).length).toBe(10);
    const neighbourKeys = (await keysOf('doomed-neighbour')).sort();

    expect(await store.remove('doomed')).toBe(10);

    expect(await keysOf('doomed')).toEqual([]);
    expect(await store.read('doomed')).toBeUndefined();
    expect(await redis.sismember(salesIndexKey, 'doomed')).toBe(0);
    expect(await store.names()).not.toContain('doomed');
    expect((await keysOf('doomed-neighbour')).sort()).toEqual(neighbourKeys);
    expect((await store.read('doomed-neighbour'))?.remaining).toBe(4);
    expect((await decider.decide({ sale: 'doomed', userId: 'u9', quantity: 1 })).outcome).toBe(
      'sale_not_found',
    );
  });

  it('remove finds every key of a sale whichever master of a cluster holds it', async () => {
    // Twelve sales spread over the masters of a cluster (one server holds them all otherwise):
    // a SCAN of any single node would leave most of them behind.
    const names = Array.from({ length: 12 }, (_, index) => `spread-${index}`);
    for (const name of names) {
      await store.configure(definitionOf(name));
      await sell(name, ['u1']);
    }
    const removed = await Promise.all(names.map((name) => store.remove(name)));
    const left = await Promise.all(names.map((name) => keysOf(name)));
    expect(removed).toEqual(names.map(() => 7));
    expect(left.flat()).toEqual([]);
  });

  it('stops a sale atomically: no purchase after stop, and it cannot be configured again', async () => {
    const definition = definitionOf('stopping');
    await store.claim(definition, 0, { owner: 'ns-a/uid-1', incarnation: 'uid-1' });
    await sell('stopping', ['u1']);
    expect(await store.stop('stopping', 'ns-b/uid-2')).toEqual({
      status: 'not_owner',
      owner: 'ns-a/uid-1',
    });
    expect((await decider.decide({ sale: 'stopping', userId: 'u2', quantity: 1 })).outcome).toBe(
      'confirmed',
    );
    expect(await store.stop('stopping', 'ns-a/uid-1')).toEqual({
      status: 'stopped',
      owner: 'ns-a/uid-1',
    });
    expect((await decider.decide({ sale: 'stopping', userId: 'u3', quantity: 1 })).outcome).toBe(
      'ended',
    );
    const again = await store.claim(definition, 0, { owner: 'ns-a/uid-1', incarnation: 'uid-1' });
    expect(again.status).toBe('deleting');
    const backlog = await store.outboxBacklog('stopping');
    expect([backlog.length, backlog.pending]).toEqual([2, 0]);
    expect((await store.read('stopping'))?.state).toBe('ended');
  });

  it('refuses a sale name another owner holds, changing nothing', async () => {
    await store.claim(definitionOf('owned', { stock: 7 }), 1, {
      owner: 'ns-a/uid-1',
      incarnation: 'uid-1',
    });
    const before = await redis.hgetall(saleKeys('owned').config);
    const refused = await store.claim(definitionOf('owned', { stock: 99 }), 5, {
      owner: 'ns-b/uid-2',
      incarnation: 'uid-2',
    });
    expect(refused.status).toBe('not_owner');
    expect(refused.owner).toBe('ns-a/uid-1');
    expect(await redis.hgetall(saleKeys('owned').config)).toEqual(before);
    expect(await redis.get(saleKeys('owned').remaining)).toBe('7');
    expect(before.owner).toBe('ns-a/uid-1');
    expect(before.incarnation).toBe('uid-1');
  });

  it('reseeds a lost sale with what was sold, so neither stock nor a user limit is sold twice', async () => {
    const startedAt = new Date(Date.now() - minute);
    const at = (seconds: number): number => startedAt.getTime() + seconds * 1000;
    const purchases = [
      { purchaseId: 'p-ann-1', userId: 'ann', quantity: 1, purchasedAtMs: at(1) },
      { purchaseId: 'p-bob-1', userId: 'bob', quantity: 1, purchasedAtMs: at(2) },
      { purchaseId: 'p-ann-2', userId: 'ann', quantity: 1, purchasedAtMs: at(3) },
    ];
    // Bob's list survived the loss: it is kept, and his purchase is not listed twice.
    await redis.rpush(
      saleKeys('reseeded').userPurchases('bob'),
      JSON.stringify({ ...purchases[1], sale: 'reseeded' }),
    );
    const reseed = {
      incarnationStartedAt: startedAt,
      units: new Map([
        ['ann', 2],
        ['bob', 1],
      ]),
      purchases,
    };
    const claim = { owner: 'ns-a/uid-1', incarnation: 'uid-1' };
    const definition = definitionOf('reseeded', { stock: 5, perUserLimit: 2 });
    const reseeded = await store.claim(definition, 3, claim, reseed);
    expect(reseeded).toEqual(
      jasmine.objectContaining({ status: 'ok', sold: 3, remaining: 2, incarnation: 'uid-1' }),
    );
    expect(reseeded.incarnationStartedAt.getTime()).toBe(startedAt.getTime());
    // The buyers' lists behind /purchases/me hold the lost incarnation's purchases again.
    const listed = async (userId: string) =>
      (await decider.purchasesOf('reseeded', userId)).map((p) => [p.purchaseId, p.purchasedAt]);
    expect(await listed('ann')).toEqual([
      ['p-ann-1', new Date(at(1)).toISOString()],
      ['p-ann-2', new Date(at(3)).toISOString()],
    ]);
    expect(await listed('bob')).toEqual([['p-bob-1', new Date(at(2)).toISOString()]]);
    // Reseeding again (a retried apply) lists nothing twice.
    await store.claim(definition, 3, claim, reseed);
    expect((await listed('ann')).length).toBe(2);
    const ann = await decider.decide({ sale: 'reseeded', userId: 'ann', quantity: 1 });
    expect(ann.outcome).toBe('limit_reached');
    const outcomes = await Promise.all(
      ['c1', 'c2', 'c3'].map(
        async (userId) => (await decider.decide({ sale: 'reseeded', userId, quantity: 1 })).outcome,
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'confirmed').length).toBe(2);
    const ledger = await store.ledger('reseeded');
    expect(ledger.buyers.get('ann')).toBe(2);
    expect(ledger.outbox.length).toBe(2);
  });
});
