import { readFileSync } from 'node:fs';
import { saleStateExamples, type SaleState, type SaleStateExample } from '@flashsale/contract';
import { Redis } from 'ioredis';
import { isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';
import { PurchaseDecider, type PurchaseDecision } from '../purchases/purchase-decider.ts';
import { SaleStore } from './sale-store.ts';

const decisionLua = readFileSync(
  new URL('../purchases/purchase-decision.lua', import.meta.url),
  'utf8',
);

/**
 * The purchase script as it is, with one change: Redis's TIME answers `nowMs`. A local
 * `redis` shadows the global for the rest of the chunk; every other call goes to the server.
 */
function decisionLuaAt(nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000);
  const micros = (nowMs % 1000) * 1000;
  return [
    'local server = redis',
    'local redis = setmetatable({ call = function(command, ...)',
    `  if command == 'TIME' then return { '${seconds}', '${micros}' } end`,
    '  return server.call(command, ...)',
    'end }, { __index = server })',
    decisionLua,
  ].join('\n');
}

/** The state a first attempt to buy one unit reveals: what the script decided, as a state. */
function stateOf(decision: PurchaseDecision): SaleState | PurchaseDecision['outcome'] {
  const states: Partial<Record<PurchaseDecision['outcome'], SaleState>> = {
    not_started: 'upcoming',
    confirmed: 'active',
    sold_out: 'sold_out',
    ended: 'ended',
  };
  return states[decision.outcome] ?? decision.outcome;
}

describe('the sale-state rule in purchase-decision.lua, on real Redis', () => {
  const { redisPrefix } = isolatedNames('sale-state-lua');
  let redis: Redis;
  let store: SaleStore;
  let url: string;
  let saleCount = 0;

  beforeAll(async () => {
    url = (await useStack()).REDIS_URL;
    redis = new Redis(url, { keyPrefix: redisPrefix });
    store = new SaleStore(redis);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(redisPrefix.length)));
    await redis.quit();
  });

  /** A sale with the example's window and units left, and a first buyer at `nowMs`. */
  const decideAt = async (example: SaleStateExample): Promise<PurchaseDecision> => {
    saleCount += 1;
    const sale = `state-${saleCount}`;
    const configured = await store.configure({
      name: sale,
      sku: 'SNKR-1',
      title: 'Limited sneaker',
      priceCents: 12_900,
      stock: example.facts.remaining,
      perUserLimit: 1,
      startsAt: new Date(example.facts.startsAtMs),
      endsAt: new Date(example.facts.endsAtMs),
    });
    expect(configured.status).toBe('ok');
    const clocked = new Redis(url, { keyPrefix: redisPrefix });
    try {
      clocked.defineCommand('purchaseDecision', {
        numberOfKeys: 7,
        lua: decisionLuaAt(example.nowMs),
      });
      const decider = new PurchaseDecider(clocked, {
        rateLimit: 0,
        rateWindowMs: 1000,
        idempotencyTtlMs: 60_000,
      });
      return await decider.decide({ sale, userId: 'first-buyer', quantity: 1 });
    } finally {
      await clocked.quit();
    }
  };

  for (const example of saleStateExamples) {
    it(`${example.case}: the script decides as the state ${example.state}`, async () => {
      const decision = await decideAt(example);
      expect(stateOf(decision)).toBe(example.state);
      // The script ran on the example's clock, not the server's: a purchase carries its time.
      if (decision.outcome === 'confirmed') {
        expect(decision.purchase.purchasedAt).toBe(new Date(example.nowMs).toISOString());
      }
    });
  }
});
