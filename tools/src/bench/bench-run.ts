import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Sequelize } from 'sequelize';
import {
  backgroundRedis,
  describeSampler,
  samplerChoiceFromEnv,
  stopwatch,
  systemClock,
} from '@flashsale/runtime';
import { migrate } from '@flashsale/platform';
import {
  freePort,
  startBenchProcess,
  type BenchProcess,
  type BenchProcessSpec,
} from './bench-processes.ts';
import type { BenchResult, FsyncBenchResult, PhaseName, ThroughputPhase } from './bench-report.ts';
import { planCores, tasksetAvailable } from './cores.ts';
import { clockTicksPerSecond, cpuShare, readProcCpu } from './cpu-time.ts';
import { writeCrowd } from './crowd.ts';
import { createDatabase, dropDatabase } from './db-first-server.ts';
import { counterValue, runK6 } from './k6-run.ts';
import { benchmarkPurchaseScript } from './lua-benchmark.ts';
import { activeSale, uniqueSaleName } from './load-sale.ts';
import { describeMachine } from './machine.ts';
import { deleteKeysUnderPrefix } from './prefixed-keys.ts';
import { latencySweep, openModelPhase, sellOutPhase } from './bench-open-phases.ts';
import {
  benchSale,
  configureSale,
  drain,
  unlimited,
  type BenchContext,
  type BenchOptions,
} from './bench-context.ts';
import { runWrk, unexpectedAnswers } from './wrk-run.ts';

const hour = 3_600_000;

export interface HttpPhase {
  readonly name: PhaseName;
  readonly label: string;
  readonly sale: string;
  readonly expectStatus: number;
  readonly idempotencyKey: boolean;
}

const purchasePath = (sale: string): string => `/api/sales/${sale}/purchases`;

/** One request as the crowd sends it, to check the phase meets the answer it means to measure. */
async function preflight(context: BenchContext, server: BenchProcess, phase: HttpPhase) {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${context.crowd.sample}`,
    'Content-Type': 'application/json',
  };
  if (phase.idempotencyKey)
    headers['Idempotency-Key'] = `preflight-${randomBytes(6).toString('hex')}`;
  const response = await fetch(`${server.url}${purchasePath(phase.sale)}`, {
    method: 'POST',
    headers,
    body: '{"quantity":1}',
  });
  const body = await response.text();
  if (response.status !== phase.expectStatus) {
    throw new Error(
      `phase "${phase.label}": expected ${phase.expectStatus} from ${server.name}, got ${response.status}: ${body}`,
    );
  }
}

export function wrkOptions(context: BenchContext, server: BenchProcess, phase: HttpPhase) {
  const threads = Math.max(1, context.cores.generatorCores);
  return {
    wrk: context.options.wrk,
    script: join(context.options.scriptDir, 'wrk-crowd.lua'),
    url: `${server.url}${purchasePath(phase.sale)}`,
    tokenFile: context.crowd.tokenFile,
    threads,
    connections: Math.max(threads, context.options.connections),
    idempotencyKey: phase.idempotencyKey,
    ...(context.cores.generator ? { cores: context.cores.generator } : {}),
    machineCores: context.machineCores,
  };
}

/** Warm-up, then the measured closed-model run, with the generator's and server's CPU. */
export async function measurePhase(
  context: BenchContext,
  server: BenchProcess,
  phase: HttpPhase,
): Promise<ThroughputPhase> {
  context.options.progress(`bench: ${phase.label} ...`);
  await preflight(context, server, phase);
  const run = wrkOptions(context, server, phase);
  await runWrk({ ...run, durationSeconds: context.options.warmupSeconds });
  const before = await server.cpuTicks();
  const watch = stopwatch();
  const result = await runWrk({ ...run, durationSeconds: context.options.durationSeconds });
  const wall = watch.elapsedMs() / 1000;
  const serverSeconds = ((await server.cpuTicks()) - before) / context.ticks;
  return {
    name: phase.name,
    label: phase.label,
    generator: 'wrk',
    requestsPerSecond: result.report.requests / result.report.durationSeconds,
    unexpected: unexpectedAnswers(result.report, phase.expectStatus),
    generatorCpu: result.cpu,
    generatorCores: run.threads,
    serverCpu: cpuShare(serverSeconds, wall, context.machineCores),
  };
}

async function windowSale(context: BenchContext, label: string, fromNow: number): Promise<string> {
  const now = systemClock.now().getTime();
  return configureSale(context, {
    ...activeSale(uniqueSaleName(label), { label, stock: unlimited, perUserLimit: unlimited }),
    startsAt: new Date(now + fromNow),
    endsAt: new Date(now + fromNow + hour),
  });
}

interface ApiSales {
  readonly soldOut: string;
  readonly notStarted: string;
  readonly ended: string;
  readonly purchase: string;
}

/** No stock at all: the state of a sale whose last unit is gone. */
export function soldOutSale(context: BenchContext): Promise<string> {
  return configureSale(context, {
    ...activeSale(uniqueSaleName('bench-sold-out'), {
      label: 'bench-sold-out',
      stock: 0,
      perUserLimit: unlimited,
    }),
  });
}

async function apiSales(context: BenchContext): Promise<ApiSales> {
  return {
    soldOut: await soldOutSale(context),
    notStarted: await windowSale(context, 'bench-not-started', hour),
    ended: await windowSale(context, 'bench-ended', -2 * hour),
    purchase: await benchSale(context, 'bench-purchase', unlimited, unlimited),
  };
}

/** The sold-out phase: requests without an Idempotency-Key, answered from memory. */
export const soldOutPhase = (sale: string, name: PhaseName, label: string): HttpPhase => ({
  name,
  label,
  sale,
  expectStatus: 410,
  idempotencyKey: false,
});

export const purchasePhase = (sale: string, name: PhaseName, label: string): HttpPhase => ({
  name,
  label,
  sale,
  expectStatus: 201,
  idempotencyKey: true,
});

async function spawnProcess(
  context: BenchContext,
  spec: Omit<BenchProcessSpec, 'port' | 'env'> & {
    env: NodeJS.ProcessEnv;
    portVariable: string;
    /** The checkout whose script runs; this one unless given. */
    root?: string;
    /** Whether it is a server under test, pinned to the servers' cores (the default). */
    underTest?: boolean;
  },
): Promise<BenchProcess> {
  const port = await freePort();
  const process_ = await startBenchProcess(spec.root ?? context.options.projectRoot, {
    ...spec,
    port,
    env: { ...spec.env, [spec.portVariable]: String(port) },
    ...(context.options.node ? { node: context.options.node.path } : {}),
    ...(context.cores.servers && spec.underTest !== false ? { cores: context.cores.servers } : {}),
  });
  context.processes.push(process_);
  return process_;
}

/** What isolates the bench's processes from the platform's own; nothing else is changed. */
function isolation(context: BenchContext): NodeJS.ProcessEnv {
  return {
    REDIS_KEY_PREFIX: context.keyPrefix,
    KAFKA_TOPIC: context.topic,
    PERSISTER_GROUP_ID: `${context.topic}-persister`,
    DATABASE_URL: context.database.url,
    HOST: '127.0.0.1',
    METRICS_HOST: '127.0.0.1',
    // Stopping between phases need not wait for a load balancer that is not there.
    SHUTDOWN_READINESS_DELAY_MS: '0',
  };
}

/** How the bench starts one API beside its environment: node flags, another checkout. */
export interface ApiLaunch {
  readonly nodeFlags?: readonly string[];
  /** Another checkout whose sources run (`bench --compare`); this one when not given. */
  readonly root?: string;
}

/** The API exactly as `npm start` runs it (cmd/api/main.ts, its environment), plus `extra`. */
export function startApi(
  context: BenchContext,
  name: string,
  extra: NodeJS.ProcessEnv = {},
  launch: ApiLaunch = {},
): Promise<BenchProcess> {
  return spawnProcess(context, {
    name,
    ...(launch.root === undefined ? {} : { root: launch.root }),
    script: 'cmd/api/main.ts',
    env: { ...context.options.processEnv('api'), ...isolation(context), ...extra },
    readyPath: '/readyz',
    portVariable: 'PORT',
    nodeFlags: launch.nodeFlags ?? [],
  });
}

export async function startPipeline(context: BenchContext): Promise<void> {
  for (const kind of ['persister', 'relay'] as const) {
    await spawnProcess(context, {
      name: kind,
      script: `cmd/${kind}/main.ts`,
      env: { ...context.options.processEnv(kind), ...isolation(context), LOG_LEVEL: 'warn' },
      readyPath: '/readyz',
      portVariable: 'METRICS_PORT',
      // Like Redis, Kafka and PostgreSQL, the pipeline goes where the kernel puts it: pinned
      // beside the API it would take the API's core whenever it catches up.
      underTest: false,
    });
  }
}

export async function stopProcess(context: BenchContext, process_: BenchProcess): Promise<void> {
  await process_.stop();
  context.processes.splice(context.processes.indexOf(process_), 1);
}

export function startBaseline(context: BenchContext, kind: 'hello' | 'db-first', sale = '') {
  return spawnProcess(context, {
    name: kind,
    script: 'tools/src/bench/bench-server-main.ts',
    env: {
      ...process.env,
      BENCH_ADMIN_URL: context.options.databaseUrl,
      BENCH_JWT_SECRET: context.options.processEnv('api').AUTH_JWT_SECRET ?? '',
      BENCH_SALE: sale,
    },
    readyPath: '/readyz',
    portVariable: 'PORT',
    args: [kind],
  });
}

/** k6 against the same hello world: its own ceiling, beside wrk's. */
async function helloK6Phase(context: BenchContext, hello: BenchProcess): Promise<ThroughputPhase> {
  context.options.progress('bench: bare Koa hello world, k6 for comparison ...');
  const before = await readProcCpu('self');
  const watch = stopwatch();
  const result = await runK6({
    k6: context.options.k6,
    script: join(context.options.scriptDir, 'bench.js'),
    env: {
      TARGET_URL: `${hello.url}/hello`,
      EXPECT_STATUS: 200,
      IDEMPOTENCY_KEY: 'true',
      VUS: context.options.connections,
      DURATION: `${context.options.durationSeconds}s`,
      WARMUP: `${context.options.warmupSeconds}s`,
      AUTH_JWT_SECRET: context.options.processEnv('api').AUTH_JWT_SECRET ?? '',
    },
    output: 'capture',
    ...(context.cores.generator ? { cores: context.cores.generator } : {}),
  });
  const wall = watch.elapsedMs() / 1000;
  const cpuSeconds = ((await readProcCpu('self')).children - before.children) / context.ticks;
  if (result.exitCode !== 0)
    throw new Error(`k6 failed (exit ${result.exitCode}):\n${result.output}`);
  return {
    name: 'helloK6',
    label: 'bare Koa hello world, measured by k6 instead',
    generator: 'k6',
    requestsPerSecond:
      counterValue(result, 'http_reqs{phase:measure}') / context.options.durationSeconds,
    unexpected: counterValue(result, 'unexpected_status{phase:measure}'),
    // Over warm-up and measurement alike: k6 works the same in both.
    generatorCpu: cpuShare(cpuSeconds, wall, context.machineCores),
    generatorCores: context.cores.generatorCores,
  };
}

/** The baseline every ratio divides by: a Koa hello world, as fast as Node serves HTTP. */
export const helloPhase: HttpPhase = {
  name: 'hello',
  label: 'bare Koa hello world (1x)',
  sale: 'any',
  expectStatus: 200,
  idempotencyKey: true,
};

async function helloPhases(context: BenchContext): Promise<ThroughputPhase[]> {
  const hello = await startBaseline(context, 'hello');
  try {
    const wrk = await measurePhase(context, hello, helloPhase);
    return [wrk, await helloK6Phase(context, hello)];
  } finally {
    await stopProcess(context, hello);
  }
}

/**
 * A pipeline that has just started (a new topic, a consumer group joining, cold caches in
 * Kafka and PostgreSQL) sells at a fraction of its later rate for a while: whichever API
 * came first would be measured against it. So purchases run unmeasured for a while first.
 */
export async function warmUpPipeline(context: BenchContext, sale: string): Promise<void> {
  const seconds = 3 * context.options.durationSeconds;
  context.options.progress(`bench: warming up the pipeline for ${seconds} s ...`);
  const api = await startApi(context, 'api warm-up');
  try {
    await runWrk({
      ...wrkOptions(context, api, purchasePhase(sale, 'purchase', 'warm-up')),
      durationSeconds: seconds,
    });
    await drain(context, sale);
  } finally {
    await stopProcess(context, api);
  }
}

async function defaultApiPhases(context: BenchContext, sales: ApiSales) {
  const api = await startApi(context, 'api');
  try {
    const answers = [
      await measurePhase(
        context,
        api,
        soldOutPhase(sales.soldOut, 'soldOut', 'sold-out answers (410, from memory)'),
      ),
      await measurePhase(context, api, {
        name: 'notStarted',
        label: 'not-started answers (409)',
        sale: sales.notStarted,
        expectStatus: 409,
        idempotencyKey: false,
      }),
      await measurePhase(context, api, {
        name: 'ended',
        label: 'ended answers (409)',
        sale: sales.ended,
        expectStatus: 409,
        idempotencyKey: false,
      }),
    ];
    const purchase = await measurePhase(
      context,
      api,
      purchasePhase(
        sales.purchase,
        'purchase',
        'purchases, stock lasts (relay, persister, Kafka, PG)',
      ),
    );
    await drain(context, sales.purchase);
    const halfRate = await openModelPhase(context, api, purchase.requestsPerSecond / 2);
    const sweep = await latencySweep(context, api, purchase.requestsPerSecond);
    const sellOut = await sellOutPhase(context, api);
    const fsync = await fsyncPhases(context, api);
    return { phases: [...answers, purchase, ...fsync], halfRate, sweep, sellOut };
  } finally {
    await stopProcess(context, api);
  }
}

/**
 * The cost of `appendfsync always` (Redis fsyncs the append-only file before it answers)
 * against `everysec`: the same purchase phase under each, on the same API process and Redis,
 * which gets its own setting back afterwards (docs/durability.md).
 */
async function fsyncPhases(context: BenchContext, api: BenchProcess): Promise<ThroughputPhase[]> {
  const [, appendonly] = await context.redis.config('GET', 'appendonly');
  if (appendonly !== 'yes') {
    throw new Error(
      `the Redis at ${context.options.redisUrl} has appendonly "${appendonly ?? 'unknown'}": the appendfsync comparison needs the append-only file on`,
    );
  }
  const [, original] = await context.redis.config('GET', 'appendfsync');
  const results: ThroughputPhase[] = [];
  try {
    for (const mode of ['always', 'everysec'] as const) {
      await context.redis.config('SET', 'appendfsync', mode);
      const sale = await benchSale(context, `bench-fsync-${mode}`, unlimited, unlimited);
      const name = mode === 'always' ? 'purchaseFsyncAlways' : 'purchaseFsyncEverysec';
      results.push(
        await measurePhase(
          context,
          api,
          purchasePhase(sale, name, `purchases, appendfsync ${mode}`),
        ),
      );
      await drain(context, sale);
    }
  } finally {
    await context.redis.config('SET', 'appendfsync', original ?? 'always');
  }
  return results;
}

const samplers = [
  { suffix: 'TraceAll', label: 'tracing always_on', env: { OTEL_TRACES_SAMPLER: 'always_on' } },
  { suffix: 'TraceOff', label: 'tracing off', env: { OTEL_TRACES_SAMPLER: 'always_off' } },
] as const;

async function tracingPhases(context: BenchContext, sales: ApiSales): Promise<ThroughputPhase[]> {
  const phases: ThroughputPhase[] = [];
  for (const sampler of samplers) {
    const api = await startApi(context, `api-${sampler.suffix}`, sampler.env);
    try {
      phases.push(
        await measurePhase(
          context,
          api,
          soldOutPhase(
            sales.soldOut,
            `soldOut${sampler.suffix}`,
            `sold-out answers, ${sampler.label}`,
          ),
        ),
        await measurePhase(
          context,
          api,
          purchasePhase(sales.purchase, `purchase${sampler.suffix}`, `purchases, ${sampler.label}`),
        ),
      );
      await drain(context, sales.purchase);
    } finally {
      await stopProcess(context, api);
    }
  }
  return phases;
}

async function dbFirstPhase(context: BenchContext): Promise<ThroughputPhase> {
  const sale = 'bench-db-first';
  const server = await startBaseline(context, 'db-first', sale);
  try {
    return await measurePhase(context, server, {
      ...purchasePhase(sale, 'dbFirst', 'database-first baseline (PostgreSQL transaction)'),
    });
  } finally {
    await stopProcess(context, server);
  }
}

async function luaPhase(context: BenchContext): Promise<ThroughputPhase> {
  context.options.progress('bench: redis-benchmark EVALSHA purchase-decision.lua ...');
  const url = new URL(context.options.redisUrl);
  const figures = await benchmarkPurchaseScript({
    redis: context.redis,
    host: url.hostname,
    port: Number(url.port || 6379),
    clients: context.options.connections,
    requests: context.options.luaRequests,
  });
  return {
    name: 'lua',
    label: 'EVALSHA purchase-decision.lua alone (redis-benchmark)',
    generator: 'redis-benchmark',
    requestsPerSecond: figures.requestsPerSecond,
    unexpected: 0,
    generatorCores: 1,
  };
}

/** Where `--cpu-prof DIR` writes each load's profile: DIR/sold-out and DIR/purchase. */
export const profiledLoads = ['sold-out', 'purchase'] as const;

/** One more API per load under `node --cpu-prof`: the sold-out answers, then purchases. */
async function profileApi(context: BenchContext, sales: ApiSales, dir: string): Promise<void> {
  for (const load of profiledLoads) {
    const api = await startApi(
      context,
      `api-profiled-${load}`,
      {},
      { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${join(dir, load)}`] },
    );
    try {
      await measurePhase(
        context,
        api,
        load === 'sold-out'
          ? soldOutPhase(sales.soldOut, 'soldOut', 'sold-out answers under node --cpu-prof')
          : purchasePhase(sales.purchase, 'purchase', 'purchases under node --cpu-prof'),
      );
    } finally {
      await stopProcess(context, api);
    }
    if (load === 'purchase') await drain(context, sales.purchase);
  }
  context.options.progress(
    `bench: the API's CPU profiles are in ${dir}/{${profiledLoads.join(',')}} (summarise: npx flashsale bench-profile DIR)`,
  );
}

async function runPhases(context: BenchContext) {
  const hello = await helloPhases(context);
  await startPipeline(context);
  const sales = await apiSales(context);
  await warmUpPipeline(context, sales.purchase);
  const byDefault = await defaultApiPhases(context, sales);
  const traced = await tracingPhases(context, sales);
  const dbFirst = await dbFirstPhase(context);
  const lua = await luaPhase(context);
  if (context.options.cpuProfileDir)
    await profileApi(context, sales, context.options.cpuProfileDir);
  return {
    phases: [...hello, ...byDefault.phases, dbFirst, ...traced, lua],
    halfRate: byDefault.halfRate,
    latencySweep: byDefault.sweep,
    sellOut: byDefault.sellOut,
  };
}

async function createTopic(brokers: string, topic: string): Promise<void> {
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopic(brokers: string, topic: string): Promise<void> {
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}

async function setUp(options: BenchOptions): Promise<BenchContext> {
  const id = randomBytes(4).toString('hex');
  const keyPrefix = `bench:${id}:`;
  const redis = backgroundRedis(options.redisUrl, keyPrefix);
  await redis.connect();
  const topic = `flashsale.bench.${id}`;
  await createTopic(options.kafkaBrokers, topic);
  const database = await createDatabase(options.databaseUrl, 'bench_pipeline');
  const sequelize = new Sequelize(database.url, { logging: false });
  await migrate(sequelize);
  const machineCores = (await describeMachine()).cpus;
  options.progress(`bench: signing ${options.users} buyers' tokens ...`);
  const crowd = await writeCrowd(options.processEnv('api').AUTH_JWT_SECRET ?? '', options.users);
  return {
    options,
    redis,
    keyPrefix,
    topic,
    database,
    sequelize,
    crowd,
    cores: planCores(machineCores, tasksetAvailable()),
    machineCores,
    ticks: await clockTicksPerSecond(),
    processes: [],
    sales: new Map(),
  };
}

async function cleanUp(context: BenchContext): Promise<void> {
  for (const process_ of [...context.processes].reverse())
    await process_.stop().catch(() => undefined);
  await context.crowd.remove();
  await deleteKeysUnderPrefix(context.redis).catch(() => undefined);
  context.redis.disconnect();
  await context.sequelize.close();
  await dropDatabase(context.options.databaseUrl, context.database.name).catch(() => undefined);
  await deleteTopic(context.options.kafkaBrokers, context.topic).catch(() => undefined);
}

/**
 * `flashsale bench`: every phase once, on this machine. The servers run as processes of their
 * own, pinned apart from the load generator; the API is cmd/api/main.ts with the environment
 * `npm start` gives it. It uses the local stack's Redis, Kafka and PostgreSQL, but a key
 * prefix, topic and database of its own, so it neither disturbs nor is disturbed by the
 * platform's data. See docs/benchmarks.md.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const machine = await describeMachine(options.node?.version);
  return withBenchContext(options, async (context) => {
    const measured = await runPhases(context);
    return {
      machine,
      loadAverageAfter: (await describeMachine(options.node?.version)).loadAverage,
      cores: context.cores,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      users: options.users,
      defaultSampler: describeSampler(samplerChoiceFromEnv(options.processEnv('api'))),
      ...measured,
    };
  });
}

/** `flashsale bench --fsync-only`: only the appendfsync always / everysec comparison. */
export async function runFsyncBench(options: BenchOptions): Promise<FsyncBenchResult> {
  const machine = await describeMachine(options.node?.version);
  return withBenchContext(options, async (context) => {
    await startPipeline(context);
    const api = await startApi(context, 'api');
    const phases = await fsyncPhases(context, api);
    return {
      machine,
      cores: context.cores,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      phases,
    };
  });
}

export async function withBenchContext<T>(
  options: BenchOptions,
  use: (context: BenchContext) => Promise<T>,
): Promise<T> {
  const context = await setUp(options);
  try {
    return await use(context);
  } finally {
    await cleanUp(context);
  }
}

export type { BenchOptions, PlatformKind } from './bench-context.ts';
