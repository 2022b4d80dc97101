import { spawnSync } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { Sequelize } from 'sequelize';
import {
  envFilePath,
  httpOk,
  imageNodeBinary,
  log,
  projectRoot,
  prometheusRemoteWriteUrl,
  readEnvFile,
  status,
  toolBin,
} from '@flashsale/stack';
import {
  formatBenchReport,
  formatFsyncReport,
  runBench,
  runFsyncBench,
  type PlatformKind,
  formatProfileSummary,
  summariseCpuProfile,
  type BenchNode,
  type BenchResult,
  type CpuProfile,
  type FsyncBenchResult,
  type ProfileSummary,
  runShardBench,
  checkoutRoots,
  profiledLoads,
  formatCompareReport,
  runCompareBench,
  describeOutcome,
  removeLoadSale,
  runContention,
  runSustained,
  type LoadOutcome,
  type LoadTarget,
  type SustainedOptions,
} from '@flashsale/tools';
import { backgroundRedis, stopwatch, systemClock } from '@flashsale/runtime';
import { positiveInteger } from './cli-options.ts';
import { printResult, withJsonOption, type OutputFlags } from './cli-output.ts';
import { loadReport } from './load-report.ts';
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
  const testId =
    flags.testid ?? `${scenario}-${systemClock.now().toISOString().replace(/[-:.]/g, '')}`;
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

/** With --json, k6's captured report goes to stderr, after the run, and the figures to stdout. */
function reportOutcome(flags: OutputFlags, outcome: LoadOutcome): void {
  if (flags.json === true) process.stderr.write(outcome.k6.output);
  printResult(flags, loadReport(outcome), () => `\n${describeOutcome(outcome)}`);
}

async function withLocalPlatform(
  flags: OutputFlags,
  use: (target: LoadTarget) => Promise<LoadOutcome>,
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
      // With --json, k6's own report would land on stdout in the middle of the JSON.
      output: flags.json === true ? 'capture' : 'inherit',
    });
    reportOutcome(flags, outcome);
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
  withJsonOption(withPrometheusFlags(contention)).action(
    async (
      options: { users: number; stock: number; vus: number } & PrometheusFlags & OutputFlags,
    ) => {
      const output = prometheusOutput('contention', options);
      await withLocalPlatform(options, (target) =>
        runContention({ ...target, ...output }, options),
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
  withJsonOption(withPrometheusFlags(sustained)).action(
    async (options: SustainedFlags & OutputFlags) => {
      const output = prometheusOutput('sustained', options);
      await withLocalPlatform(options, (target) =>
        runSustained({ ...target, ...output }, sustainedOptions(options)),
      );
    },
  );
}

export function registerBenchCommands(program: Command): void {
  registerLoadCommands(program);

  const bench = program
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
      '--compare <dirs...>',
      "only the sold-out and purchase phases, for this checkout's API and then each other checkout's (e.g. a `git worktree` of another revision, with its node_modules), in one run against bare Koa (docs/benchmarks.md)",
    )
    .option(
      '--node <path|images>',
      "the Node every server under test runs on (bare Koa too): a binary's path, or `images` for the images' Node (fetched once from the npm registry); default: this one",
    )
    .option(
      '--cpu-prof <dir>',
      "also profile the API's sold-out answers and its purchases (node --cpu-prof) into DIR/sold-out and DIR/purchase",
    );
  withJsonOption(bench).action(async (options: BenchCommandOptions) => {
    if (options.redisCluster === true) await shardBenchCommand(options);
    else await benchCommand(options);
  });
}

interface BenchCommandOptions extends OutputFlags {
  connections: number;
  duration: number;
  warmup: number;
  users: number;
  sellOutStock: number;
  cpuProf?: string;
  fsyncOnly?: boolean;
  redisCluster?: boolean;
  sales: number;
  compare?: string[];
  node?: string;
}

/** `--node`: a binary's path or `images`, with the version the binary reports. */
async function benchNode(choice: string | undefined): Promise<BenchNode | undefined> {
  if (choice === undefined) return undefined;
  const path = choice === 'images' ? await imageNodeBinary() : resolve(choice);
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8' });
  const version = probe.status === 0 ? probe.stdout.trim() : '';
  if (!/^v\d+\.\d+\.\d+/.test(version))
    throw new Error(
      `--node: ${path} is not a Node binary that answers --version (give a path, or \`images\`)`,
    );
  return { path, version };
}

/** `bench --redis-cluster`: the same decisions against one Redis, then the cluster. */
async function shardBenchCommand(options: BenchCommandOptions): Promise<void> {
  await requireStack(['redis']);
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

/** The busiest .cpuprofile of the run (a process writes one per thread; tsx adds a worker). */
interface BusiestProfile {
  readonly file: string;
  readonly summary: ProfileSummary;
}

async function busiestProfile(dir: string): Promise<BusiestProfile | null> {
  let best: BusiestProfile | null = null;
  for (const name of (await readdir(dir)).filter((entry) => entry.endsWith('.cpuprofile'))) {
    const file = join(dir, name);
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    const summary = summariseCpuProfile(profile);
    if (!best || summary.busySamples > best.summary.busySamples) best = { file, summary };
  }
  return best;
}

type ProfiledLoad = (typeof profiledLoads)[number];

async function profilesIn(dir: string): Promise<Record<ProfiledLoad, BusiestProfile | null>> {
  const found: Partial<Record<ProfiledLoad, BusiestProfile | null>> = {};
  for (const load of profiledLoads) found[load] = await busiestProfile(join(dir, load));
  return found as Record<ProfiledLoad, BusiestProfile | null>;
}

/** What `flashsale bench --json` prints: the run's figures, and its CPU profiles if asked for. */
type BenchJson = (
  ({ readonly kind: 'bench' } & BenchResult) | ({ readonly kind: 'fsync' } & FsyncBenchResult)
) & { readonly cpuProfiles?: Partial<Record<ProfiledLoad, BusiestProfile | null>> };

function formatBench(report: BenchJson): string {
  const figures = report.kind === 'fsync' ? formatFsyncReport(report) : formatBenchReport(report);
  if (report.cpuProfiles === undefined) return `\n${figures}`;
  const profiles = Object.entries(report.cpuProfiles).map(([load, profile]) =>
    profile
      ? `${load}: ${formatProfileSummary(profile.summary, profile.file)}`
      : `${load}: no .cpuprofile was written`,
  );
  return `\n${figures}\n\n${profiles.join('\n\n')}`;
}

/** The bench measures the running stack: say so plainly when a part of it is not up. */
async function requireStack(needed: readonly string[]): Promise<void> {
  const down = (await status())
    .filter((component) => needed.includes(component.name) && !component.ready)
    .map((component) => component.name);
  if (down.length > 0) {
    throw new Error(
      `the bench needs the local stack, and ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} not running: start it with \`npx flashsale stack up\``,
    );
  }
}

async function benchCommand(options: BenchCommandOptions): Promise<void> {
  const node = await benchNode(options.node);
  // Checked before anything starts: a wrong directory should not cost a crowd's signing.
  const roots = options.compare === undefined ? [] : checkoutRoots(projectRoot, options.compare);
  await requireStack(['redis', 'postgresql', 'kafka']);
  const stackEnv = existsSync(envFilePath()) ? await readEnvFile() : {};
  const env = { ...stackEnv, ...process.env };
  const base = await platformBaseEnv(stackEnv);
  const watch = stopwatch();
  const profileDir = options.cpuProf ? resolve(options.cpuProf) : undefined;
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
    ...(profileDir ? { cpuProfileDir: profileDir } : {}),
    ...(node ? { node } : {}),
    progress: log,
  };
  if (options.compare !== undefined) {
    const compared = await runCompareBench(benchOptions, roots);
    log(`bench: done in ${watch.seconds(0)} s`);
    printResult(
      options,
      { kind: 'compare', ...compared },
      (report) => `\n${formatCompareReport(report)}`,
    );
    return;
  }
  const figures: BenchJson =
    options.fsyncOnly === true
      ? { kind: 'fsync', ...(await runFsyncBench(benchOptions)) }
      : { kind: 'bench', ...(await runBench(benchOptions)) };
  log(`bench: done in ${watch.seconds(0)} s`);
  const report = profileDir ? { ...figures, cpuProfiles: await profilesIn(profileDir) } : figures;
  printResult(options, report, formatBench);
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
