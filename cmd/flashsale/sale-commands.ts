import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { Sequelize } from 'sequelize';
import { parse } from 'yaml';
import { migrate } from '@flashsale/platform/persistence/migrator.ts';
import { persistedUnits } from '@flashsale/platform/persistence/purchases-table.ts';
import { upsertSale } from '@flashsale/platform/persistence/sales-table.ts';
import { backgroundRedis } from '@flashsale/platform/redis/redis-client.ts';
import {
  definitionFromManifest,
  parseFlashSaleManifest,
} from '@flashsale/platform/sales/flash-sale-manifest.ts';
import { SaleStore } from '@flashsale/platform/sales/sale-store.ts';
import { verifySale, verifyWhenDrained } from '@flashsale/platform/sales/sale-verification.ts';
import { platformEnv, required } from './platform-env.ts';

interface Clients {
  readonly redis: Redis;
  readonly sales: SaleStore;
  readonly database: Sequelize;
}

async function withClients<T>(use: (clients: Clients) => Promise<T>): Promise<T> {
  const env = await platformEnv();
  const redis = backgroundRedis(required(env, 'REDIS_URL'), env.REDIS_KEY_PREFIX ?? '');
  const database = new Sequelize(required(env, 'DATABASE_URL'), { logging: false });
  try {
    await redis.connect();
    return await use({ redis, sales: new SaleStore(redis), database });
  } finally {
    redis.disconnect();
    await database.close();
  }
}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

export function registerSaleCommands(program: Command): void {
  const sale = program
    .command('sale')
    .description('configure and inspect sales without Kubernetes');

  sale
    .command('apply')
    .description(
      'apply a FlashSale manifest to Redis and the sales table, exactly as the operator does',
    )
    .requiredOption('-f, --file <file>', 'FlashSale YAML manifest')
    .action(async (options: { file: string }) => {
      const definition = definitionFromManifest(
        parseFlashSaleManifest(parse(await readFile(options.file, 'utf8'))),
      );
      await withClients(async ({ sales, database }) => {
        const result = await sales.configure(definition);
        if (result.status === 'below_sold') {
          throw new Error(
            `refused: stock ${definition.stock} is below the ${result.sold} units already sold`,
          );
        }
        await migrate(database);
        await upsertSale(database, definition);
        print({ sale: definition.name, ...result });
      });
    });

  sale
    .command('status <name>')
    .description('print the sale as JSON')
    .action(async (name: string) => {
      await withClients(async ({ sales }) => {
        const found = await sales.read(name);
        if (!found) throw new Error(`no sale named "${name}"`);
        print(found);
      });
    });

  sale
    .command('verify <name>')
    .description(
      'check sold = persisted and stock adds up; exits 1 when not consistent once drained',
    )
    .option('--wait <seconds>', 'how long to wait for the pipeline to drain', '30')
    .action(async (name: string, options: { wait: string }) => {
      await withClients(async ({ sales, database }) => {
        const result = await verifyWhenDrained(
          () => verifySale(sales, (sale) => persistedUnits(database, sale), name),
          Number(options.wait) * 1000,
        );
        if (!result) throw new Error(`no sale named "${name}"`);
        print(result);
        if (!result.consistent) process.exitCode = 1;
      });
    });
}
