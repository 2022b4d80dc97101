import type { Purchase } from '@flashsale/contract';
import {
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
  deleteKeysUnderPrefix,
} from '@flashsale/testkit';
import type { SaleDefinition } from '../sales/sale-definition.ts';
import { saleKeys } from '../sales/sale-keys.ts';
import { SaleStore } from '../sales/sale-store.ts';
import { PurchaseDecider, type PurchaseDecision } from './purchase-decider.ts';
import { redisClient, type RedisClient } from '@flashsale/runtime';

const minute = 60_000;

function activeSale(name: string, overrides: Partial<SaleDefinition> = {}): SaleDefinition {
  return {
    name,
    sku: 'SNKR-001',
    title: 'Limited sneaker',
    priceCents: 12_900,
    stock: 10,
    perUserLimit: 1,
    startsAt: new Date(Date.now() - minute),
    endsAt: new Date(Date.now() + 60 * minute),
    ...overrides,
  };
}

function outcomes(decisions: readonly PurchaseDecision[]): Record<string, number> {
  const counted: Record<string, number> = {};
  for (const decision of decisions)
    counted[decision.outcome] = (counted[decision.outcome] ?? 0) + 1;
  return counted;
}

function confirmedOf(decision: PurchaseDecision | undefined): Purchase {
  if (decision?.outcome !== 'confirmed') {
    throw new Error(`expected a confirmed purchase, got ${JSON.stringify(decision)}`);
  }
  return decision.purchase;
}

describe('purchase decision: PurchaseDecider on real Redis', () => {
  const { redisPrefix } = isolatedNames('purchase-decider');
  let clients: RedisClient[] = [];
  let redis: RedisClient;
  let store: SaleStore;
  let decider: PurchaseDecider;
  let deciders: PurchaseDecider[] = [];
  const deciderOn = (index: number): PurchaseDecider =>
    deciders[index % deciders.length] as PurchaseDecider;
  let saleCount = 0;

  const newSale = async (overrides: Partial<SaleDefinition> = {}): Promise<string> => {
    saleCount += 1;
    const name = `sale-${saleCount}`;
    const result = await store.configure(activeSale(name, overrides));
    expect(result.status).toBe('ok');
    return name;
  };

  const buy = (
    sale: string,
    userId: string,
    extra: { quantity?: number; idempotencyKey?: string } = {},
  ): Promise<PurchaseDecision> =>
    decider.decide({ sale, userId, quantity: extra.quantity ?? 1, ...extra });

  const buyersTotal = async (sale: string): Promise<number> =>
    (await redis.hvals(saleKeys(sale).buyers)).reduce((sum, units) => sum + Number(units), 0);

  beforeAll(async () => {
    const { REDIS_URL } = await useStack();
    // Several connections, as several API pods would have: the decision must be atomic
    // across them, not merely ordered on one connection.
    clients = Array.from({ length: 4 }, () => redisClient(REDIS_URL, { keyPrefix: redisPrefix }));
    redis = clients[0] as RedisClient;
    store = new SaleStore(redis);
    deciders = clients.map(
      (client) =>
        new PurchaseDecider(client, { rateLimit: 0, rateWindowMs: 1000, idempotencyTtlMs: 60_000 }),
    );
    decider = deciderOn(0);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await deleteKeysUnderPrefix(redis);
    await Promise.all(clients.map((client) => client.quit()));
  });

  it('sells exactly the stock to 300 concurrent buyers on 4 connections: 50 confirmed, 250 sold_out', async () => {
    const sale = await newSale({ stock: 50 });
    const decisions = await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        deciderOn(index).decide({
          sale,
          userId: `user-${index}`,
          quantity: 1,
        }),
      ),
    );

    expect(outcomes(decisions)).toEqual({ confirmed: 50, sold_out: 250 });
    const confirmed = decisions.filter((decision) => decision.outcome === 'confirmed');
    expect(new Set(confirmed.map((decision) => decision.purchase.purchaseId)).size).toBe(50);
    expect(new Set(confirmed.map((decision) => decision.purchase.userId)).size).toBe(50);
    expect(confirmed.map((decision) => decision.remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, index) => index),
    );
    expect(await redis.get(saleKeys(sale).remaining)).toBe('0');
    expect(await redis.xlen(saleKeys(sale).outbox)).toBe(50);
    expect(await redis.hlen(saleKeys(sale).buyers)).toBe(50);
    expect(await buyersTotal(sale)).toBe(50);
    expect(await store.levels(sale)).toEqual({
      stock: 50,
      sold: 50,
      remaining: 0,
      outboxPending: 50,
    });
    expect((await store.read(sale))?.state).toBe('sold_out');
  });

  it('writes the confirmed purchase to the outbox, the buyer list and the buyers hash', async () => {
    const sale = await newSale({ stock: 3, perUserLimit: 2 });
    const decision = await buy(sale, 'alice', { quantity: 2 });
    const purchase = confirmedOf(decision);
    expect(decision).toEqual({
      outcome: 'confirmed',
      remaining: 1,
      purchase: {
        purchaseId: purchase.purchaseId,
        sale,
        userId: 'alice',
        quantity: 2,
        purchasedAt: jasmine.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        status: 'confirmed',
      },
    });
    const entries = await redis.xrange(saleKeys(sale).outbox, '-', '+');
    expect(entries.length).toBe(1);
    const fields = entries[0]?.[1] ?? [];
    expect(fields[0]).toBe('purchase');
    expect(JSON.parse(fields[1] ?? '{}')).toEqual(
      jasmine.objectContaining({ purchaseId: purchase.purchaseId, userId: 'alice', quantity: 2 }),
    );
    expect(await redis.hget(saleKeys(sale).buyers, 'alice')).toBe('2');
    expect(await decider.purchasesOf(sale, 'alice')).toEqual([purchase]);
    expect(await decider.purchasesOf(sale, 'bob')).toEqual([]);
  });

  it('holds one user to perUserLimit 2 under 20 concurrent requests: 2 confirmed, 18 limit_reached', async () => {
    const sale = await newSale({ stock: 100, perUserLimit: 2 });
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        deciderOn(index).decide({
          sale,
          userId: 'greedy',
          quantity: 1,
          idempotencyKey: `attempt-${index}`,
        }),
      ),
    );

    expect(outcomes(decisions)).toEqual({ confirmed: 2, limit_reached: 18 });
    for (const decision of decisions.filter((d) => d.outcome === 'limit_reached')) {
      expect(decision).toEqual({ outcome: 'limit_reached', bought: 2, limit: 2 });
    }
    expect(await redis.hget(saleKeys(sale).buyers, 'greedy')).toBe('2');
    expect(await redis.get(saleKeys(sale).remaining)).toBe('98');
    expect(await redis.xlen(saleKeys(sale).outbox)).toBe(2);
  });

  it('counts quantity against the limit: 2 units, then 1 more is limit_reached; 3 at once is refused', async () => {
    const sale = await newSale({ stock: 100, perUserLimit: 2 });
    expect(await buy(sale, 'bulk', { quantity: 3 })).toEqual({
      outcome: 'limit_reached',
      bought: 0,
      limit: 2,
    });
    expect((await buy(sale, 'bulk', { quantity: 2 })).outcome).toBe('confirmed');
    expect(await buy(sale, 'bulk', { quantity: 1 })).toEqual({
      outcome: 'limit_reached',
      bought: 2,
      limit: 2,
    });
    expect(await redis.get(saleKeys(sale).remaining)).toBe('98');
  });

  it('replays an Idempotency-Key with the same purchase and sells nothing more', async () => {
    const sale = await newSale({ stock: 5, perUserLimit: 3 });
    const first = await buy(sale, 'carol', { idempotencyKey: 'order-1' });
    const purchase = confirmedOf(first);
    const replays = await Promise.all(
      Array.from({ length: 5 }, () => buy(sale, 'carol', { idempotencyKey: 'order-1' })),
    );

    for (const replay of replays) expect(replay).toEqual({ outcome: 'replay', purchase });
    expect(await redis.get(saleKeys(sale).remaining)).toBe('4');
    expect(await redis.xlen(saleKeys(sale).outbox)).toBe(1);
    expect(await redis.hget(saleKeys(sale).buyers, 'carol')).toBe('1');
    expect((await decider.purchasesOf(sale, 'carol')).length).toBe(1);
    expect(purchase.purchaseId).not.toBe(
      confirmedOf(await buy(sale, 'carol', { idempotencyKey: 'order-2' })).purchaseId,
    );
  });

  it("never replays another user's purchase for the same Idempotency-Key", async () => {
    const sale = await newSale({ stock: 5 });
    const dave = confirmedOf(await buy(sale, 'dave', { idempotencyKey: 'k-1' }));
    const erin = confirmedOf(await buy(sale, 'erin', { idempotencyKey: 'k-1' }));

    expect(erin.userId).toBe('erin');
    expect(erin.purchaseId).not.toBe(dave.purchaseId);
    expect(await redis.get(saleKeys(sale).remaining)).toBe('3');
  });

  it("never replays another user's purchase when user id and key contain ':' (no key collision)", async () => {
    // Token subjects are any printable characters; "alice:1" + key "order-7" and
    // "alice" + key "1:order-7" are different users and must not share an idempotency record.
    const sale = await newSale({ stock: 5 });
    const victim = confirmedOf(await buy(sale, 'alice:1', { idempotencyKey: 'order-7' }));
    const other = await buy(sale, 'alice', { idempotencyKey: '1:order-7' });

    expect(other).toEqual({
      outcome: 'confirmed',
      remaining: 3,
      purchase: jasmine.objectContaining({ userId: 'alice', quantity: 1 }),
    });
    expect(JSON.stringify(other)).not.toContain(victim.purchaseId);
    expect(await redis.get(saleKeys(sale).remaining)).toBe('3');
  });

  it("answers not_started before the sale's own start time, with that time", async () => {
    const startsAt = new Date(Date.now() + 10 * minute);
    const sale = await newSale({ startsAt, endsAt: new Date(Date.now() + 20 * minute) });
    expect(await buy(sale, 'early')).toEqual({ outcome: 'not_started', startsAt });
    expect(await redis.get(saleKeys(sale).remaining)).toBe('10');
    expect(await redis.exists(saleKeys(sale).buyers)).toBe(0);
  });

  it("answers ended after the sale's own end time and sells nothing", async () => {
    const sale = await newSale({
      startsAt: new Date(Date.now() - 20 * minute),
      endsAt: new Date(Date.now() - minute),
    });
    expect(await buy(sale, 'late')).toEqual({ outcome: 'ended' });
    expect(await redis.get(saleKeys(sale).remaining)).toBe('10');
    expect(await redis.xlen(saleKeys(sale).outbox)).toBe(0);
  });

  it('answers sale_not_found for a sale that was never configured', async () => {
    expect(await buy('no-such-sale', 'frank')).toEqual({ outcome: 'sale_not_found' });
  });

  it('answers sold_out with what is left when the quantity exceeds it', async () => {
    const sale = await newSale({ stock: 1, perUserLimit: 5 });
    expect(await buy(sale, 'gina', { quantity: 2 })).toEqual({ outcome: 'sold_out', remaining: 1 });
    expect((await buy(sale, 'gina', { quantity: 1 })).outcome).toBe('confirmed');
    expect(await buy(sale, 'hank')).toEqual({ outcome: 'sold_out', remaining: 0 });
  });

  it('sells again after a restock (higher stock) and refuses to lower stock below what is sold', async () => {
    const definition = activeSale('restocked', { stock: 5 });
    expect((await store.configure(definition)).status).toBe('ok');
    const sellOut = await Promise.all(
      Array.from({ length: 7 }, (_, index) => buy('restocked', `buyer-${index}`)),
    );
    expect(outcomes(sellOut)).toEqual({ confirmed: 5, sold_out: 2 });

    expect(await store.configure({ ...definition, stock: 8 })).toEqual({
      status: 'ok',
      sold: 5,
      remaining: 3,
      generation: 0,
    });
    const afterRestock = await Promise.all(
      Array.from({ length: 6 }, (_, index) => buy('restocked', `late-${index}`)),
    );
    expect(outcomes(afterRestock)).toEqual({ confirmed: 3, sold_out: 3 });

    expect(await store.configure({ ...definition, stock: 4, title: 'Changed' })).toEqual({
      status: 'below_sold',
      sold: 8,
      remaining: 0,
      generation: 0,
    });
    const sale = await store.read('restocked');
    expect(sale?.stock).toBe(8);
    expect(sale?.remaining).toBe(0);
    expect(sale?.title).toBe('Limited sneaker');
    expect(await store.levels('restocked')).toEqual({
      stock: 8,
      sold: 8,
      remaining: 0,
      outboxPending: 8,
    });
  });

  it('enforces the rate limit: with 3 attempts per 1000 ms the 4th is rate_limited', async () => {
    const sale = await newSale({ stock: 100, perUserLimit: 10 });
    const limited = new PurchaseDecider(clients[1] as RedisClient, {
      rateLimit: 3,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    const attempt = (userId: string): Promise<PurchaseDecision> =>
      limited.decide({ sale, userId, quantity: 1 });

    for (let index = 0; index < 3; index += 1)
      expect((await attempt('ivan')).outcome).toBe('confirmed');
    const fourth = await attempt('ivan');
    expect(fourth.outcome).toBe('rate_limited');
    const retryAfterMs = fourth.outcome === 'rate_limited' ? fourth.retryAfterMs : 0;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(1000);
    // Another buyer is not limited by ivan's attempts, and nothing was sold to the 4th.
    expect((await attempt('judy')).outcome).toBe('confirmed');
    expect(await redis.hget(saleKeys(sale).buyers, 'ivan')).toBe('3');

    await new Promise((resolve) => setTimeout(resolve, retryAfterMs + 50));
    expect((await attempt('ivan')).outcome).toBe('confirmed');
  });
});
