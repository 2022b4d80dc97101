import type { Redis } from 'ioredis';
import { Sequelize } from 'sequelize';
import { migrate } from '@flashsale/platform/persistence/migrator.ts';
import { upsertSale } from '@flashsale/platform/persistence/sales-table.ts';
import { backgroundRedis } from '@flashsale/platform/redis/redis-client.ts';
import type { SaleDefinition } from '@flashsale/platform/sales/sale-definition.ts';
import type { Sale } from '@flashsale/platform/sales/sale.ts';
import { SaleStore } from '@flashsale/platform/sales/sale-store.ts';

export const demoSaleName = 'demo-drop';

/** A sale that opens a minute from now and runs for half an hour. */
export function demoSale(now: Date): SaleDefinition {
  const startsAt = new Date(Math.ceil((now.getTime() + 60_000) / 1000) * 1000);
  return {
    name: demoSaleName,
    sku: 'SNKR-DEMO-001',
    title: 'Limited sneaker (demo drop)',
    priceCents: 12_900,
    stock: 100,
    perUserLimit: 2,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 30 * 60_000),
  };
}

/**
 * Applies the demo sale unless one is still upcoming or running: restarting the platform
 * must not move the window of a sale people are buying in.
 */
export async function ensureDemoSale(redisUrl: string, databaseUrl: string): Promise<Sale> {
  const redis: Redis = backgroundRedis(redisUrl, '');
  const database = new Sequelize(databaseUrl, { logging: false });
  try {
    await redis.connect();
    const sales = new SaleStore(redis);
    const existing = await sales.read(demoSaleName);
    if (existing && existing.state !== 'ended') return existing;
    if (existing) await sales.remove(demoSaleName);
    const definition = demoSale(new Date());
    await sales.configure(definition);
    await migrate(database);
    await upsertSale(database, definition);
    const applied = await sales.read(demoSaleName);
    if (!applied) throw new Error('the demo sale vanished right after it was applied');
    return applied;
  } finally {
    redis.disconnect();
    await database.close();
  }
}
