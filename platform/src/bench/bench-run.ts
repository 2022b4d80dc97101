import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { TokenVerifier } from '../api/auth.ts';
import { backgroundRedis } from '../redis/redis-client.ts';
import { startBenchApi } from './bench-api.ts';
import type {
  BenchResult,
  FsyncBenchResult,
  HalfRateResult,
  PhaseName,
  PhaseResult,
} from './bench-report.ts';
import { startDbFirstServer } from './db-first-server.ts';
import { startHelloServer } from './hello-server.ts';
import type { BenchServer } from './http-listener.ts';
import { counterValue, latencyOf, runK6 } from './k6-run.ts';
import { benchmarkPurchaseScript } from './lua-benchmark.ts';
import { createLoadSale } from './load-sale.ts';
import { describeMachine } from './machine.ts';
import { deleteKeysUnderPrefix } from './prefixed-keys.ts';

export interface BenchOptions {
  readonly k6: string;
  /** test/load in the repository. */
  readonly scriptDir: string;
  readonly redisUrl: string;
  /** PostgreSQL URL of a user that may create databases (the baseline gets its own). */
  readonly databaseUrl: string;
  readonly vus: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  /** EVALSHA calls redis-benchmark makes. */
  readonly luaRequests: number;
  readonly progress: (line: string) => void;
}

/** Everything the bench starts, so it can all be stopped whatever fails. */
interface BenchContext {
  readonly options: BenchOptions;
  readonly redis: Redis;
  readonly jwtSecret: string;
  readonly servers: BenchServer[];
}

const unlimited = 1_000_000_000;

async function httpPhase(
  context: BenchContext,
  phase: {
    name: PhaseName;
    label: string;
    url: string;
    expectStatus: number;
    idempotencyKey?: boolean;
  },
): Promise<PhaseResult> {
  const { options } = context;
  context.options.progress(`bench: ${phase.label} ...`);
  const result = await runK6({
    k6: options.k6,
    script: join(options.scriptDir, 'bench.js'),
    env: {
      TARGET_URL: phase.url,
      EXPECT_STATUS: phase.expectStatus,
      IDEMPOTENCY_KEY: String(phase.idempotencyKey ?? true),
      VUS: options.vus,
      DURATION: `${options.durationSeconds}s`,
      WARMUP: `${options.warmupSeconds}s`,
      AUTH_JWT_SECRET: context.jwtSecret,
    },
    output: 'capture',
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `k6 failed in phase "${phase.label}" (exit ${result.exitCode}):\n${result.output}`,
    );
  }
  const latency = latencyOf(result, 'http_req_duration{phase:measure}');
  return {
    name: phase.name,
    label: phase.label,
    figures: {
      requestsPerSecond: counterValue(result, 'http_reqs{phase:measure}') / options.durationSeconds,
      ...latency,
    },
    unexpected: counterValue(result, 'unexpected_status{phase:measure}'),
  };
}

async function benchSale(context: BenchContext, label: string, stock: number): Promise<string> {
  const sale = await createLoadSale(context.redis, undefined, {
    label,
    stock,
    perUserLimit: unlimited,
  });
  return sale.name;
}

const purchaseUrl = (server: BenchServer, sale: string): string =>
  `${server.url}/api/sales/${sale}/purchases`;

/** Sells a sale's only unit, so every later attempt meets the sold-out answer. */
async function sellOut(context: BenchContext, url: string): Promise<void> {
  const token = new TokenVerifier(context.jwtSecret).issue('bench-first-buyer', 600);
  const response = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: '{"quantity":1}',
  });
  if (response.status !== 201) {
    throw new Error(
      `buying the sold-out phase's only unit answered ${response.status}: ${await response.text()}`,
    );
  }
}

async function apiPhases(context: BenchContext, api: BenchServer): Promise<PhaseResult[]> {
  const buy = await benchSale(context, 'bench-purchase', unlimited);
  const purchase = await httpPhase(context, {
    name: 'purchase',
    label: '(b) purchase, stock lasts (our API, 1 process)',
    url: purchaseUrl(api, buy),
    expectStatus: 201,
  });
  const gone = await benchSale(context, 'bench-sold-out', 1);
  await sellOut(context, purchaseUrl(api, gone));
  const soldOut = await httpPhase(context, {
    name: 'soldOut',
    label: '(c) purchase after sell-out (410 from memory)',
    url: purchaseUrl(api, gone),
    expectStatus: 410,
    idempotencyKey: false,
  });
  // With an Idempotency-Key the API asks Redis even when sold out (it may be a lost answer's
  // retry), so a storefront that always sends one never takes the in-memory path.
  const soldOutKeyed = await httpPhase(context, {
    name: 'soldOutKeyed',
    label: '(c2) after sell-out, with Idempotency-Key (Redis)',
    url: purchaseUrl(api, gone),
    expectStatus: 410,
  });
  return [purchase, soldOut, soldOutKeyed];
}

/**
 * The cost of `appendfsync always` (Redis fsyncs the append-only file before it answers)
 * against `everysec`: the same purchase phase under each, on the same API process and
 * Redis, which gets its own setting back afterwards (docs/durability.md).
 */
async function fsyncPhases(context: BenchContext, api: BenchServer): Promise<PhaseResult[]> {
  const [, appendonly] = await context.redis.config('GET', 'appendonly');
  if (appendonly !== 'yes') {
    throw new Error(
      `the Redis at ${context.options.redisUrl} has appendonly "${appendonly ?? 'unknown'}": the appendfsync comparison needs the append-only file on`,
    );
  }
  const [, original] = await context.redis.config('GET', 'appendfsync');
  const results: PhaseResult[] = [];
  try {
    for (const mode of ['always', 'everysec'] as const) {
      await context.redis.config('SET', 'appendfsync', mode);
      const sale = await benchSale(context, `bench-fsync-${mode}`, unlimited);
      results.push(
        await httpPhase(context, {
          name: mode === 'always' ? 'purchaseFsyncAlways' : 'purchaseFsyncEverysec',
          label: `(b2) purchase, appendfsync ${mode}`,
          url: purchaseUrl(api, sale),
          expectStatus: 201,
        }),
      );
    }
  } finally {
    await context.redis.config('SET', 'appendfsync', original ?? 'always');
  }
  return results;
}

/** The open-model latency at half the closed-model maximum, on the same API process. */
async function halfRate(
  context: BenchContext,
  api: BenchServer,
  maxRate: number,
): Promise<HalfRateResult> {
  const rate = Math.max(1, Math.round(maxRate / 2));
  context.options.progress(`bench: p99 at half the max rate (${rate} req/s) ...`);
  const sale = await createLoadSale(context.redis, undefined, {
    label: 'bench-half-rate',
    stock: unlimited,
    perUserLimit: 1,
  });
  const result = await runK6({
    k6: context.options.k6,
    script: join(context.options.scriptDir, 'sustained.js'),
    env: {
      API_URLS: api.url,
      SALE: sale.name,
      AUTH_JWT_SECRET: context.jwtSecret,
      RATE: rate,
      DURATION: `${context.options.durationSeconds}s`,
    },
    output: 'capture',
  });
  if (result.exitCode !== 0) {
    throw new Error(`k6 failed at half the max rate (exit ${result.exitCode}):\n${result.output}`);
  }
  return {
    rate,
    p99: latencyOf(result).p99,
    droppedIterations: counterValue(result, 'dropped_iterations'),
    // Every buyer is new and the stock unlimited: any answer but 201 is unexpected.
    unexpected: ['server_errors', 'unexpected_status', 'refused']
      .map((metric) => counterValue(result, metric))
      .reduce((sum, count) => sum + count, 0),
  };
}

async function dbFirstPhase(context: BenchContext): Promise<PhaseResult> {
  const sale = 'bench-db-first';
  const server = await startDbFirstServer({
    adminUrl: context.options.databaseUrl,
    jwtSecret: context.jwtSecret,
    poolSize: 24,
    sale,
    stock: unlimited,
    perUserLimit: unlimited,
  });
  context.servers.push(server);
  return httpPhase(context, {
    name: 'dbFirst',
    label: '(d) database-first baseline (PostgreSQL transaction)',
    url: purchaseUrl(server, sale),
    expectStatus: 201,
  });
}

async function luaPhase(context: BenchContext): Promise<PhaseResult> {
  context.options.progress('bench: (e) redis-benchmark EVALSHA purchase-decision.lua ...');
  const url = new URL(context.options.redisUrl);
  const figures = await benchmarkPurchaseScript({
    redis: context.redis,
    host: url.hostname,
    port: Number(url.port || 6379),
    clients: context.options.vus,
    requests: context.options.luaRequests,
  });
  return {
    name: 'lua',
    label: '(e) EVALSHA purchase-decision.lua (redis-benchmark)',
    figures,
    unexpected: 0,
  };
}

async function runPhases(
  context: BenchContext,
): Promise<Omit<BenchResult, 'machine' | 'vus' | 'durationSeconds'>> {
  const hello = await startHelloServer();
  context.servers.push(hello);
  const helloPhase = await httpPhase(context, {
    name: 'hello',
    label: '(a) bare Koa hello world',
    url: `${hello.url}/hello`,
    expectStatus: 200,
  });
  const api = await startApi(context);
  const [purchase, ...soldOut] = await apiPhases(context, api);
  const fsync = await fsyncPhases(context, api);
  const half = await halfRate(context, api, purchase?.figures.requestsPerSecond ?? 0);
  const phases = [
    helloPhase,
    purchase,
    ...fsync,
    ...soldOut,
    await dbFirstPhase(context),
    await luaPhase(context),
  ];
  return {
    phases: phases.filter((phase): phase is PhaseResult => phase !== undefined),
    halfRate: half,
  };
}

async function startApi(context: BenchContext): Promise<BenchServer> {
  const api = await startBenchApi({
    redisUrl: context.options.redisUrl,
    keyPrefix: context.redis.options.keyPrefix ?? '',
    jwtSecret: context.jwtSecret,
  });
  context.servers.push(api);
  return api;
}

async function cleanUp(context: BenchContext): Promise<void> {
  for (const server of context.servers.reverse()) await server.close().catch(() => undefined);
  await deleteKeysUnderPrefix(context.redis);
  context.redis.disconnect();
}

/**
 * `flashsale bench`: every phase once, on this machine, with the same load shape. It uses
 * the local stack's Redis and PostgreSQL but a key prefix, database and ports of its own,
 * so it neither disturbs nor is disturbed by the platform's own data.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  return withBenchContext(options, async (context) => {
    const machine = await describeMachine();
    const measured = await runPhases(context);
    return { machine, vus: options.vus, durationSeconds: options.durationSeconds, ...measured };
  });
}

/** `flashsale bench --fsync-only`: only the appendfsync always / everysec comparison. */
export async function runFsyncBench(options: BenchOptions): Promise<FsyncBenchResult> {
  return withBenchContext(options, async (context) => {
    const machine = await describeMachine();
    const phases = await fsyncPhases(context, await startApi(context));
    return { machine, vus: options.vus, durationSeconds: options.durationSeconds, phases };
  });
}

async function withBenchContext<T>(
  options: BenchOptions,
  use: (context: BenchContext) => Promise<T>,
): Promise<T> {
  const redis = backgroundRedis(options.redisUrl, `bench:${randomBytes(4).toString('hex')}:`);
  await redis.connect();
  const context: BenchContext = {
    options,
    redis,
    jwtSecret: randomBytes(48).toString('base64url'),
    servers: [],
  };
  try {
    return await use(context);
  } finally {
    await cleanUp(context);
  }
}
