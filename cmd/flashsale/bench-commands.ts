import { join } from 'node:path';
import type { Command } from 'commander';
import { Sequelize } from 'sequelize';
import { httpOk, log, projectRoot, toolBin } from '@flashsale/stack';
import { formatBenchReport, formatFsyncReport } from '@flashsale/platform/bench/bench-report.ts';
import { runBench, runFsyncBench } from '@flashsale/platform/bench/bench-run.ts';
import {
  describeOutcome,
  removeLoadSale,
  runContention,
  runSustained,
  type LoadOutcome,
  type LoadTarget,
} from '@flashsale/platform/bench/load-runs.ts';
import { backgroundRedis } from '@flashsale/platform/redis/redis-client.ts';
import { apiPorts, localJwtSecret, platformProcesses } from './local-platform.ts';
import { platformEnv, required } from './platform-env.ts';

const scriptDir = join(projectRoot, 'test', 'load');

function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new Error(`${name} must be a whole number of at least 1 (got "${value}")`);
    }
    return parsed;
  };
}

/** The load commands need the whole local platform: the API fleet, the relay, the persister. */
async function requireLocalPlatform(): Promise<void> {
  const down: string[] = [];
  for (const spec of platformProcesses) {
    if (!(await httpOk(`http://127.0.0.1:${spec.port}/readyz`)))
      down.push(`${spec.name} (:${spec.port})`);
  }
  if (down.length > 0) {
    throw new Error(
      `the local platform is not running (${down.join(', ')} not ready): start it with \`npx flashsale start\`, then run this again`,
    );
  }
}

type LocalTarget = Omit<LoadTarget, 'output'>;

async function withLocalPlatform(
  use: (target: LocalTarget) => Promise<LoadOutcome>,
): Promise<void> {
  await requireLocalPlatform();
  const env = await platformEnv();
  const redis = backgroundRedis(required(env, 'REDIS_URL'), env.REDIS_KEY_PREFIX ?? '');
  const database = new Sequelize(required(env, 'DATABASE_URL'), { logging: false });
  try {
    await redis.connect();
    const outcome = await use({
      k6: toolBin('k6'),
      scriptDir,
      apiUrls: apiPorts.map((port) => `http://127.0.0.1:${port}`),
      // `flashsale start` signs with the local key, whatever AUTH_JWT_SECRET this shell has.
      jwtSecret: await localJwtSecret(),
      redis,
      database,
    });
    process.stdout.write(`\n${describeOutcome(outcome)}\n`);
    if (outcome.problems.length > 0) {
      process.exitCode = 1;
      log(`kept sale ${outcome.sale} for inspection: npx flashsale sale verify ${outcome.sale}`);
    } else {
      await removeLoadSale(redis, outcome.sale);
    }
  } finally {
    redis.disconnect();
    await database.close();
  }
}

function registerLoadCommands(program: Command): void {
  const load = program
    .command('load')
    .description('k6 load tests against the running local platform (run `flashsale start` first)');

  load
    .command('contention')
    .description(
      'a crowd of distinct buyers against a fresh sale: exactly STOCK confirmed, no 5xx, replays answer 200, pipeline consistent',
    )
    .option('--users <n>', 'distinct buyers', positiveInteger('--users'), 20_000)
    .option('--stock <n>', 'units on sale', positiveInteger('--stock'), 1000)
    .option('--vus <n>', 'concurrent buyers (k6 virtual users)', positiveInteger('--vus'), 200)
    .action(async (options: { users: number; stock: number; vus: number }) => {
      await withLocalPlatform((target) => runContention({ ...target, output: 'inherit' }, options));
    });

  load
    .command('sustained')
    .description(
      'RATE purchases per second by distinct buyers for DURATION seconds; prints p50/p95/p99',
    )
    .option('--rate <n>', 'purchase attempts per second', positiveInteger('--rate'), 500)
    .option('--duration <seconds>', 'how long', positiveInteger('--duration'), 15)
    .option(
      '--stock <n>',
      'units on sale (default: more than the run can sell)',
      positiveInteger('--stock'),
    )
    .action(async (options: { rate: number; duration: number; stock?: number }) => {
      await withLocalPlatform((target) =>
        runSustained(
          { ...target, output: 'inherit' },
          {
            rate: options.rate,
            durationSeconds: options.duration,
            ...(options.stock === undefined ? {} : { stock: options.stock }),
          },
        ),
      );
    });
}

interface BenchCliOptions {
  readonly vus: number;
  readonly duration: number;
  readonly warmup: number;
  readonly fsyncOnly?: boolean;
}

export function registerBenchCommands(program: Command): void {
  registerLoadCommands(program);

  program
    .command('bench')
    .description(
      'one benchmark run on this machine: bare Koa, purchase, sold-out, database-first, the Lua script alone; needs the stack (`flashsale stack up`)',
    )
    .option(
      '--vus <n>',
      'k6 virtual users (and redis-benchmark connections)',
      positiveInteger('--vus'),
      64,
    )
    .option('--duration <seconds>', 'measured seconds per phase', positiveInteger('--duration'), 10)
    .option(
      '--warmup <seconds>',
      'warm-up seconds before each phase',
      positiveInteger('--warmup'),
      3,
    )
    .option('--fsync-only', 'only the purchase phase under appendfsync always and everysec')
    .action(async (options: BenchCliOptions) => {
      const env = await platformEnv();
      const startedAt = Date.now();
      const benchOptions = {
        k6: toolBin('k6'),
        scriptDir,
        redisUrl: required(env, 'REDIS_URL'),
        databaseUrl: required(env, 'DATABASE_URL'),
        vus: options.vus,
        durationSeconds: options.duration,
        warmupSeconds: options.warmup,
        luaRequests: 200_000,
        progress: log,
      };
      const report =
        options.fsyncOnly === true
          ? formatFsyncReport(await runFsyncBench(benchOptions))
          : formatBenchReport(await runBench(benchOptions));
      log(`bench: done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
      process.stdout.write(`\n${report}\n`);
    });
}
