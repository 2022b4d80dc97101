import { randomBytes } from 'node:crypto';
import { systemClock, type RedisClient } from '@flashsale/runtime';
import type { Sequelize } from 'sequelize';
import {
  migrate,
  upsertSale,
  SaleStore,
  verifySale,
  verifyWhenDrained,
  type SaleVerification,
} from '@flashsale/platform';
import type { SaleDefinition } from '@flashsale/platform';

export interface LoadSaleOptions {
  /** A DNS label; a random suffix is appended so every run gets a sale of its own. */
  readonly label: string;
  readonly stock: number;
  readonly perUserLimit: number;
}

/** A unique sale name such as `load-contention-3f9a1c`. */
export function uniqueSaleName(label: string): string {
  return `${label}-${randomBytes(3).toString('hex')}`;
}

/**
 * A sale that is already active: it opened a minute ago (so a few seconds of clock skew
 * between this machine and Redis's clock cannot make it "not started") and runs an hour.
 */
export function activeSale(
  name: string,
  options: LoadSaleOptions,
  now = systemClock.now(),
): SaleDefinition {
  return {
    name,
    sku: 'LOAD-TEST',
    title: `Load test (${options.label})`,
    priceCents: 100,
    stock: options.stock,
    perUserLimit: options.perUserLimit,
    startsAt: new Date(now.getTime() - 60_000),
    endsAt: new Date(now.getTime() + 3_600_000),
  };
}

/**
 * Applies a fresh active sale exactly as `flashsale sale apply` does: the Redis side (what the
 * API decides on) and the sales table (what the persister's rows refer to).
 */
export async function createLoadSale(
  redis: RedisClient,
  database: Sequelize | undefined,
  options: LoadSaleOptions,
): Promise<SaleDefinition> {
  const definition = activeSale(uniqueSaleName(options.label), options);
  const result = await new SaleStore(redis).configure(definition);
  if (result.status !== 'ok') {
    throw new Error(
      `configuring sale ${definition.name} answered ${result.status}; run the command again (a fresh name is drawn each time)`,
    );
  }
  if (database) {
    await migrate(database);
    await upsertSale(database, definition);
  }
  return definition;
}

/** `flashsale sale verify`: waits for the outbox → Kafka → PostgreSQL pipeline to drain. */
export async function verifyLoadSale(
  redis: RedisClient,
  database: Sequelize,
  sale: string,
  waitMs: number,
): Promise<SaleVerification> {
  const sales = new SaleStore(redis);
  const result = await verifyWhenDrained(() => verifySale(sales, database, sale), waitMs);
  if (!result) throw new Error(`sale ${sale} vanished from Redis during the run; run it again`);
  return result;
}
