import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Sequelize } from 'sequelize';
import { parse } from 'yaml';
import { positiveInteger } from './cli-options.ts';
import { definitionFromManifest, parseFlashSaleManifest } from '@flashsale/operator';
import { printResult, withJsonOption, type OutputFlags } from './cli-output.ts';
import {
  migrate,
  applyOwnedSale,
  deleteSaleStep,
  type SaleRecords,
  SaleStore,
  verifySale,
  verifyWhenDrained,
} from '@flashsale/platform';
import {
  backgroundRedis,
  pollUntil,
  systemClock,
  type Clock,
  type RedisClient,
} from '@flashsale/runtime';
import type { SaleDefinition } from '@flashsale/platform';
import { platformEnv, required } from './platform-env.ts';
import {
  formatApplied,
  formatRemoved,
  formatSale,
  formatSaleList,
  formatVerification,
  type AppliedSale,
  type RemovedSale,
} from './sale-text.ts';

interface Clients {
  readonly redis: RedisClient;
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

/** The owner of the sales this CLI applies (a FlashSale's owner is `namespace/uid`). */
export const cliOwner = 'cli';

async function applySale(
  records: SaleRecords,
  definition: SaleDefinition,
  reseed: boolean,
): Promise<AppliedSale> {
  await migrate(records.database);
  const outcome = await applyOwnedSale(records, definition, {
    generation: 0,
    claim: { owner: cliOwner, incarnation: randomUUID() },
    reseed,
  });
  if (outcome.kind === 'name_conflict')
    throw new Error(
      `refused: the sale name "${definition.name}" belongs to ${outcome.owner}; nothing changed`,
    );
  if (outcome.kind === 'stock_lost')
    throw new Error(
      `refused: the keys of sale "${definition.name}" are gone from Redis; PostgreSQL and the ` +
        `outbox prove ${outcome.proven?.total ?? 0} units sold. Once the pipeline has drained, ` +
        're-run with --reseed-from-database to reseed from them (docs/sale-lifecycle.md)',
    );
  const { result } = outcome;
  if (result.status !== 'ok')
    throw new Error(
      result.status === 'below_sold'
        ? `refused: stock ${definition.stock} is below the ${result.sold} units already sold`
        : `refused: the sale is ${result.status === 'deleting' ? 'being deleted' : result.status}`,
    );
  const { status, sold, remaining, generation, owner, incarnation } = result;
  return { sale: definition.name, status, sold, remaining, generation, owner, incarnation };
}

/** Stops the sale, waits (up to `waitMs`) for its outbox to be relayed, then removes it. */
async function deleteSale(
  records: SaleRecords,
  name: string,
  waitMs: number,
  clock: Clock = systemClock,
): Promise<RemovedSale> {
  let waiting = 0;
  const removed = await pollUntil(
    async () => {
      const step = await deleteSaleStep(records, name, '');
      if (step.status === 'removed') return step;
      if (step.status === 'draining') waiting = step.length + step.pending;
      process.stderr.write(`sale ${name} stopped; waiting for its outbox to drain\n`);
      return undefined;
    },
    { timeoutMs: waitMs, intervalMs: 1000, clock },
  );
  if (removed) return { sale: name, status: 'removed', keys: removed.keys };
  throw new Error(
    `sale "${name}" is stopped but ${waiting} purchases still wait in ` +
      'its outbox (is the relay running, is Kafka up?); re-run the command to finish',
  );
}

const noSale = (name: string): Error =>
  new Error(`no sale named "${name}" (see \`npx flashsale sale list\`)`);

function registerApplyAndDelete(sale: Command): void {
  withJsonOption(
    sale
      .command('apply')
      .description(
        'apply a FlashSale manifest to Redis and the sales table, exactly as the operator does',
      )
      .requiredOption('-f, --file <file>', 'FlashSale YAML manifest')
      .option(
        '--reseed-from-database',
        'if the sale lost its Redis keys, reseed it from what PostgreSQL and the outbox prove sold',
      ),
  ).action(async (options: { file: string; reseedFromDatabase?: boolean } & OutputFlags) => {
    const definition = definitionFromManifest(
      parseFlashSaleManifest(parse(await readFile(options.file, 'utf8'))),
    );
    await withClients(async ({ sales, database }) => {
      const records = { store: sales, database };
      const applied = await applySale(records, definition, options.reseedFromDatabase === true);
      printResult(options, applied, formatApplied);
    });
  });

  withJsonOption(
    sale
      .command('delete <name>')
      .description(
        'stop a sale, wait until its outbox reached Kafka, then remove its keys (as the operator does)',
      )
      .option(
        '--wait <seconds>',
        'how long to wait for the outbox to drain',
        positiveInteger('--wait'),
        300,
      ),
  ).action(async (name: string, options: { wait: number } & OutputFlags) => {
    await withClients(async ({ sales, database }) => {
      await migrate(database);
      const removed = await deleteSale({ store: sales, database }, name, options.wait * 1000);
      printResult(options, removed, formatRemoved);
    });
  });
}

function registerReadCommands(sale: Command): void {
  withJsonOption(sale.command('list').description('every sale in Redis, by name')).action(
    async (flags: OutputFlags) => {
      await withClients(async ({ sales }) => {
        printResult(flags, await sales.list(), formatSaleList);
      });
    },
  );

  withJsonOption(
    sale
      .command('status <name>')
      .alias('get')
      .description('the sale as the API shows it: stock, remaining, window, state'),
  ).action(async (name: string, flags: OutputFlags) => {
    await withClients(async ({ sales }) => {
      const found = await sales.read(name);
      if (!found) throw noSale(name);
      printResult(flags, found, formatSale);
    });
  });

  withJsonOption(
    sale
      .command('verify <name>')
      .description(
        'compare the Redis ledger of buyers with PostgreSQL and the outbox; exits 1 when not consistent once drained',
      )
      .option(
        '--wait <seconds>',
        'how long to wait for the pipeline to drain',
        positiveInteger('--wait'),
        30,
      ),
  ).action(async (name: string, options: { wait: number } & OutputFlags) => {
    await withClients(async ({ sales, database }) => {
      const result = await verifyWhenDrained(
        () => verifySale(sales, database, name),
        options.wait * 1000,
      );
      if (!result) throw noSale(name);
      printResult(options, result, (verification) => formatVerification(name, verification));
      if (!result.consistent) process.exitCode = 1;
    });
  });
}

export function registerSaleCommands(program: Command): void {
  const sale = program
    .command('sale')
    .description('configure and inspect sales without Kubernetes');
  registerApplyAndDelete(sale);
  registerReadCommands(sale);
}
