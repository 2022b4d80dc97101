import { constants, existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { Sequelize } from 'sequelize';
import {
  envFilePath,
  httpOk,
  log,
  projectRoot,
  prometheusRemoteWriteUrl,
  readEnvFile,
  toolBin,
} from '@flashsale/stack';
import {
  formatBenchReport,
  formatFsyncReport,
  runBench,
  runFsyncBench,
  type PlatformKind,
  summariseBusiestProfile,
  runShardBench,
  describeOutcome,
  removeLoadSale,
  runContention,
  runSustained,
  type LoadOutcome,
  type LoadTarget,
  type SustainedOptions,
} from '@flashsale/tools';
import { backgroundRedis } from '@flashsale/runtime';
import { positiveInteger } from './cli-options.ts';
import { apiPorts, localJwtSecret, platformBaseEnv, platformProcesses } from './local-platform.ts';
import { platformEnv, required } from './platform-env.ts';

const scriptDir = join(projectRoot, 'tools', 'load');

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

/** `--prometheus [url]` and `--testid <id>` of the load commands. */
interface PrometheusFlags {
  readonly prometheus?: string | true;
  readonly testid?: string;
}

/**
 * k6's remote-write output, when asked for: to the given URL, or to the stack's Prometheus
 * (started with --web.enable-remote-write-receiver). See docs/observability.md.
 */
function prometheusOutput(
  scenario: string,
  flags: PrometheusFlags,
): Pick<LoadTarget, 'prometheus'> {
  if (flags.prometheus === undefined) return {};
  const remoteWriteUrl = flags.prometheus === true ? prometheusRemoteWriteUrl() : flags.prometheus;
  const testId = flags.testid ?? `${scenario}-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  log(`k6 samples → ${remoteWriteUrl} with testid=${testId}`);
  return { prometheus: { remoteWriteUrl, testId } };
}

function remoteWriteUrl(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new InvalidArgumentError(
      'use a remote-write URL such as http://127.0.0.1:9090/api/v1/write',
    );
  }
  return value;
}

function withPrometheusFlags(command: Command): Command {
  return command
    .option(
      '--prometheus [url]',
      "also send k6's samples to Prometheus remote write (default: the stack's Prometheus)",
      remoteWriteUrl,
    )
    .option('--testid <id>', 'the testid tag on those samples (default: <scenario>-<time>)');
}

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

interface SustainedFlags extends PrometheusFlags {
  readonly rate: number;
  readonly duration: number;
  readonly stock?: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

function sustainedOptions(flags: SustainedFlags): SustainedOptions {
  return {
    rate: flags.rate,
    durationSeconds: flags.duration,
    p95Ms: flags.p95Ms,
    p99Ms: flags.p99Ms,
    ...(flags.stock === undefined ? {} : { stock: flags.stock }),
  };
}

function registerLoadCommands(program: Command): void {
  const load = program
    .command('load')
    .description('k6 load tests against the running local platform (run `flashsale start` first)');

  const contention = load
    .command('contention')
    .description(
      'a crowd of distinct buyers against a fresh sale: exactly STOCK confirmed, no 5xx, replays answer 200, pipeline consistent',
    )
    .option('--users <n>', 'distinct buyers', positiveInteger('--users'), 20_000)
    .option('--stock <n>', 'units on sale', positiveInteger('--stock'), 1000)
    .option('--vus <n>', 'concurrent buyers (k6 virtual users)', positiveInteger('--vus'), 200);
  withPrometheusFlags(contention).action(
    async (options: { users: number; stock: number; vus: number } & PrometheusFlags) => {
      const output = prometheusOutput('contention', options);
      await withLocalPlatform((target) =>
        runContention({ ...target, ...output, output: 'inherit' }, options),
      );
    },
  );

  const sustained = load
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
    .option(
      '--p95-ms <ms>',
      'fail above this p95 purchase latency',
      positiveInteger('--p95-ms'),
      250,
    )
    .option(
      '--p99-ms <ms>',
      'fail above this p99 purchase latency',
      positiveInteger('--p99-ms'),
      500,
    );
  withPrometheusFlags(sustained).action(async (options: SustainedFlags) => {
    const output = prometheusOutput('sustained', options);
    await withLocalPlatform((target) =>
      runSustained({ ...target, ...output, output: 'inherit' }, sustainedOptions(options)),
    );
  });
}

export function registerBenchCommands(program: Command): void {
  registerLoadCommands(program);

  program
    .command('bench')
    .description(
      'one benchmark run on this machine with wrk and a crowd of signed buyers: bare Koa, the API as `npm start` runs it (sold-out, not-started, ended, purchases with the pipeline, tracing on/default/off), the database-first baseline, p99 at half the max rate, sell-out to PostgreSQL; needs the stack (`flashsale stack up`); see docs/benchmarks.md',
    )
    .option('--connections <n>', 'wrk connections', positiveInteger('--connections'), 64)
    .option('--duration <seconds>', 'measured seconds per phase', positiveInteger('--duration'), 10)
    .option(
      '--warmup <seconds>',
      'warm-up seconds before each phase',
      positiveInteger('--warmup'),
      3,
    )
    .option(
      '--users <n>',
      'distinct signed buyers in the crowd',
      positiveInteger('--users'),
      20_000,
    )
    .option(
      '--sell-out-stock <n>',
      'units of the sale the crowd buys out',
      positiveInteger('--sell-out-stock'),
      10_000,
    )
    .option('--fsync-only', 'only the purchase phase under appendfsync always and everysec')
    .option(
      '--redis-cluster',
      'only aggregate purchase decisions/s for many sales, one Redis against the three-master cluster (stack up --redis-cluster; docs/redis-cluster.md)',
    )
    .option('--sales <n>', 'sales for --redis-cluster', positiveInteger('--sales'), 30)
    .option(
      '--cpu-prof <dir>',
      "also profile the API's sold-out answers (node --cpu-prof) into DIR",
    )
    .action(async (options: BenchCommandOptions) => {
      if (options.redisCluster === true) await shardBenchCommand(options);
      else await benchCommand(options);
    });
}

interface BenchCommandOptions {
  connections: number;
  duration: number;
  warmup: number;
  users: number;
  sellOutStock: number;
  cpuProf?: string;
  fsyncOnly?: boolean;
  redisCluster?: boolean;
  sales: number;
}

/** `bench --redis-cluster`: the same decisions against one Redis, then the cluster. */
async function shardBenchCommand(options: BenchCommandOptions): Promise<void> {
  const env = { ...(existsSync(envFilePath()) ? await readEnvFile() : {}), ...process.env };
  const targets = [
    ['one Redis', required(env, 'REDIS_SINGLE_URL')],
    ['Redis Cluster, three masters', required(env, 'REDIS_CLUSTER_URL')],
  ] as const;
  const rows: string[] = [];
  for (const [label, redisUrl] of targets) {
    log(`bench: ${options.sales} sales on ${label} ...`);
    const result = await runShardBench({
      redisUrl,
      sales: options.sales,
      concurrency: options.connections,
      durationMs: options.duration * 1000,
      warmupMs: options.warmup * 1000,
    });
    rows.push(
      `| ${label} | ${result.decisionsPerSecond} | ${result.salesPerMaster.join(' / ')} | ${result.failures} |`,
    );
  }
  process.stdout.write(
    `\n| target | decisions/s | sales per master | failed |\n| --- | ---: | --- | ---: |\n${rows.join('\n')}\n`,
  );
}

/** The environment `npm start` gives each kind of process (the first API's, for the API). */
function npmStartEnv(base: NodeJS.ProcessEnv): (kind: PlatformKind) => NodeJS.ProcessEnv {
  return (kind) => {
    const spec = platformProcesses.find(
      (entry) => entry.name === (kind === 'api' ? 'api-1' : kind),
    );
    return { ...base, ...spec?.env };
  };
}

async function benchCommand(options: BenchCommandOptions): Promise<void> {
  const stackEnv = existsSync(envFilePath()) ? await readEnvFile() : {};
  const env = { ...stackEnv, ...process.env };
  const base = await platformBaseEnv(stackEnv);
  const startedAt = Date.now();
  const benchOptions = {
    wrk: await wrkBinary(),
    k6: toolBin('k6'),
    scriptDir,
    projectRoot,
    redisUrl: required(env, 'REDIS_URL'),
    databaseUrl: required(env, 'DATABASE_URL'),
    kafkaBrokers: required(env, 'KAFKA_BROKERS'),
    processEnv: npmStartEnv(base),
    connections: options.connections,
    durationSeconds: options.duration,
    warmupSeconds: options.warmup,
    users: options.users,
    sellOutStock: options.sellOutStock,
    luaRequests: 200_000,
    ...(options.cpuProf ? { cpuProfileDir: resolve(options.cpuProf) } : {}),
    progress: log,
  };
  const report =
    options.fsyncOnly === true
      ? formatFsyncReport(await runFsyncBench(benchOptions))
      : formatBenchReport(await runBench(benchOptions));
  log(`bench: done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
  process.stdout.write(`\n${report}\n`);
  if (options.cpuProf) {
    process.stdout.write(`\n${await summariseBusiestProfile(resolve(options.cpuProf))}\n`);
  }
}

async function wrkBinary(): Promise<string> {
  const wrk = '/usr/bin/wrk';
  try {
    await access(wrk, constants.X_OK);
    return wrk;
  } catch {
    throw new Error(
      `${wrk} not found: install it with \`npx flashsale stack install\` (Debian package wrk)`,
    );
  }
}
