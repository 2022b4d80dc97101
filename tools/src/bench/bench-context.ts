import type { RedisClient } from '@flashsale/runtime';
import type { Sequelize } from 'sequelize';
import type { SaleDefinition } from '@flashsale/platform';
import { SaleStore } from '@flashsale/platform';
import type { CorePlan } from './cores.ts';
import type { Crowd } from './crowd.ts';
import { createLoadSale, verifyLoadSale } from './load-sale.ts';
import type { BenchProcess } from './bench-processes.ts';

/** Stock and per-buyer limit that a bench run never reaches. */
export const unlimited = 1_000_000_000;

export type PlatformKind = 'api' | 'relay' | 'persister';

export interface BenchOptions {
  readonly wrk: string;
  readonly k6: string;
  /** tools/load in the repository (wrk-crowd.lua, bench.js). */
  readonly scriptDir: string;
  readonly projectRoot: string;
  readonly redisUrl: string;
  /** PostgreSQL URL of a user that may create databases (the bench makes its own). */
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  /** The environment `npm start` gives each process; the bench adds only isolation to it. */
  readonly processEnv: (kind: PlatformKind) => NodeJS.ProcessEnv;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly users: number;
  readonly sellOutStock: number;
  /** EVALSHA calls redis-benchmark makes. */
  readonly luaRequests: number;
  /** The Node every server under test runs on (bare Koa too); this process's when absent. */
  readonly node?: BenchNode;
  /** When set, an extra sold-out run of the API under `node --cpu-prof` writes its profile here. */
  readonly cpuProfileDir?: string;
  readonly progress: (line: string) => void;
}

/** A Node binary for the bench's processes, and the version it reports. */
export interface BenchNode {
  readonly path: string;
  readonly version: string;
}

/** Everything the bench made, so it can all be removed whatever fails. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  readonly topic: string;
  readonly database: { readonly name: string; readonly url: string };
  readonly sequelize: Sequelize;
  readonly crowd: Crowd;
  readonly cores: CorePlan;
  readonly machineCores: number;
  readonly ticks: number;
  readonly processes: BenchProcess[];
  readonly sales: Map<string, SaleDefinition>;
}

export async function configureSale(
  context: BenchContext,
  definition: SaleDefinition,
): Promise<string> {
  const result = await new SaleStore(context.redis).configure(definition);
  if (result.status !== 'ok') {
    throw new Error(`configuring bench sale ${definition.name} answered ${result.status}`);
  }
  context.sales.set(definition.name, definition);
  return definition.name;
}

/** A sale of the bench's own, in Redis and in the bench database (the persister's rows need it). */
export async function benchSale(
  context: BenchContext,
  label: string,
  stock: number,
  perUserLimit: number,
): Promise<string> {
  const sale = await createLoadSale(context.redis, context.sequelize, {
    label,
    stock,
    perUserLimit,
  });
  context.sales.set(sale.name, sale);
  return sale.name;
}

/** Waits until every purchase the bench made is in PostgreSQL (and checks nothing was lost). */
export async function drain(context: BenchContext, sale: string): Promise<void> {
  context.options.progress(`bench: waiting for the pipeline to drain ${sale} ...`);
  const verification = await verifyLoadSale(context.redis, context.sequelize, sale, 180_000);
  if (!verification.consistent) {
    throw new Error(
      `the pipeline did not drain sale ${sale} within 180 s: ${JSON.stringify(verification)}`,
    );
  }
}
