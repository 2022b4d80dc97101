import { randomBytes } from 'node:crypto';
import { PurchaseDecider, saleKeys, SaleStore } from '@flashsale/platform';
import {
  backgroundRedis,
  masters,
  type RedisClient,
  deleteKeysUnderPrefix,
} from '@flashsale/runtime';
import { activeSale } from './load-sale.ts';

/**
 * Aggregate purchase decisions per second for many sales at once, decided by the purchase
 * script itself (PurchaseDecider, no HTTP: on this machine the API process is the limit long
 * before Redis is). Run once against one Redis and once against the cluster, the figures say
 * what sharding sales over masters buys (docs/redis-cluster.md).
 */
export interface ShardBenchOptions {
  readonly redisUrl: string;
  readonly sales: number;
  /** Decisions in flight at once (over all sales). */
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly clock?: () => number;
}

export interface ShardBenchResult {
  readonly decisionsPerSecond: number;
  readonly decisions: number;
  /** Every answer that was not a confirmed purchase (there should be none). */
  readonly failures: number;
  /** How many of the sales each master holds (one entry for a single Redis). */
  readonly salesPerMaster: readonly number[];
}

interface Counts {
  decisions: number;
  failures: number;
}

async function placeSales(redis: RedisClient, names: readonly string[]): Promise<number[]> {
  const nodes = masters(redis);
  if (nodes.length === 1) return [names.length];
  const prefix = redis.options.keyPrefix ?? '';
  const perNode = nodes.map(() => 0);
  for (const name of names) {
    const slot = Number(await redis.cluster('KEYSLOT', `${prefix}${saleKeys(name).config}`));
    const ranges = await redis.cluster('SLOTS');
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    const index = nodes.findIndex((node) => node.options.port === range?.[2]?.[1]);
    if (index >= 0) perNode[index] = (perNode[index] ?? 0) + 1;
  }
  return perNode;
}

async function buyer(
  decider: PurchaseDecider,
  names: readonly string[],
  until: () => boolean,
  counts: Counts,
): Promise<void> {
  let turn = Math.floor(Math.random() * names.length);
  while (!until()) {
    const sale = names[turn % names.length] ?? '';
    turn += 1;
    const user = randomBytes(6).toString('hex');
    const decision = await decider
      .decide({ sale, userId: user, quantity: 1 })
      .catch(() => undefined);
    if (decision?.outcome === 'confirmed') counts.decisions += 1;
    else counts.failures += 1;
  }
}

async function drive(
  decider: PurchaseDecider,
  names: readonly string[],
  options: ShardBenchOptions,
  clock: () => number,
): Promise<Counts> {
  const counts: Counts = { decisions: 0, failures: 0 };
  const start = clock();
  const end = start + options.warmupMs + options.durationMs;
  let measured: Counts | undefined;
  const loops = Array.from({ length: options.concurrency }, () =>
    buyer(decider, names, () => clock() >= end, counts),
  );
  const warm = new Promise<void>((resolve) => {
    setTimeout(() => {
      measured = { ...counts };
      resolve();
    }, options.warmupMs);
  });
  await Promise.all([warm, ...loops]);
  const before = measured ?? { decisions: 0, failures: 0 };
  return {
    decisions: counts.decisions - before.decisions,
    failures: counts.failures - before.failures,
  };
}

/** Configures `sales` big sales under a private prefix, decides for the duration, cleans up. */
export async function runShardBench(options: ShardBenchOptions): Promise<ShardBenchResult> {
  const clock = options.clock ?? Date.now;
  const redis = backgroundRedis(
    options.redisUrl,
    `bench-shards:${randomBytes(4).toString('hex')}:`,
  );
  await redis.connect();
  try {
    const store = new SaleStore(redis);
    const names = Array.from({ length: options.sales }, (_, index) => `shard-${index}`);
    for (const name of names) {
      await store.configure(
        activeSale(name, { label: 'shards', stock: 100_000_000, perUserLimit: 1 }),
      );
    }
    const decider = new PurchaseDecider(redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    const counts = await drive(decider, names, options, clock);
    return {
      decisionsPerSecond: Math.round(counts.decisions / (options.durationMs / 1000)),
      decisions: counts.decisions,
      failures: counts.failures,
      salesPerMaster: await placeSales(redis, names),
    };
  } finally {
    await deleteKeysUnderPrefix(redis);
    redis.disconnect();
  }
}
