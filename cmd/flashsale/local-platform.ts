import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { applyFlashSaleCrd } from '@flashsale/operator';
import { KubeConfig } from '@kubernetes/client-node';
import { loadDatabaseConfig, connectDatabase, migrate } from '@flashsale/platform';
import {
  httpOk,
  launch,
  log,
  logFile,
  projectRoot,
  registerScrapeTarget,
  runningPid,
  statePath,
  stop,
  unregisterScrapeTarget,
} from '@flashsale/stack';
import { pollUntil } from '@flashsale/runtime';

/** One process of the platform as the local runner starts it. */
export interface PlatformProcess {
  readonly name: string;
  readonly script: string;
  /** Its HTTP port: the API itself, or the ops endpoints of a background process. */
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
}

/** Two API processes (the fleet is horizontally scaled), the relay and the persister. */
export const apiPorts = [18080, 18081] as const;
/** The built storefront (web/dist), served with a config.json that points at the first API. */
export const storefrontUrl = 'http://127.0.0.1:18088';
export const platformProcesses: readonly PlatformProcess[] = [
  ...apiPorts.map((port, index) => ({
    name: `api-${index + 1}`,
    script: 'cmd/api/main.ts',
    port,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_DEV_LOGIN: 'true',
      CORS_ORIGIN: storefrontUrl,
    },
  })),
  {
    name: 'relay',
    script: 'cmd/relay/main.ts',
    port: 19465,
    env: { METRICS_PORT: '19465', METRICS_HOST: '127.0.0.1' },
  },
  {
    name: 'persister',
    script: 'cmd/persister/main.ts',
    port: 19464,
    env: { METRICS_PORT: '19464', METRICS_HOST: '127.0.0.1' },
  },
  {
    name: 'operator',
    script: 'cmd/operator/main.ts',
    port: 19466,
    // Locally the operator uses the stack's admin kubeconfig (KUBECONFIG from the stack) and,
    // like the chart's default, watches every namespace: a sale name is unique per cluster,
    // and a FlashSale in a namespace nobody watches would silently never sell.
    env: {
      METRICS_PORT: '19466',
      METRICS_HOST: '127.0.0.1',
      OPERATOR_NAMESPACE: 'default',
    },
  },
];

const storefront: PlatformProcess = {
  name: 'storefront',
  script: 'web/server/serve-storefront.mjs',
  port: 18088,
  env: { STOREFRONT_PORT: '18088', STOREFRONT_API_URL: `http://127.0.0.1:${apiPorts[0]}` },
};

/** Serves the storefront, building it first when there is no build yet. */
async function storefrontUp(env: NodeJS.ProcessEnv): Promise<void> {
  if (!existsSync(join(projectRoot, 'web', 'dist', 'browser', 'index.html'))) {
    log('    storefront: building web/ (npm run build -w web)');
    // Build output goes to stderr: stdout is the command's own report.
    const build = spawnSync('npm', ['run', 'build', '-w', 'web'], {
      cwd: projectRoot,
      stdio: ['ignore', 2, 2],
    });
    if (build.status !== 0) throw new Error('the storefront build failed (npm run build -w web)');
  }
  log(`    storefront: ${await ensureProcess(storefront, env)} (${storefrontUrl})`);
}

/** The local signing key for dev tokens: made once, kept with the stack's state. */
export async function localJwtSecret(): Promise<string> {
  const file = statePath('auth-jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(48).toString('base64url');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

export function kubeConfigFrom(stackEnv: Record<string, string>): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(stackEnv.KUBECONFIG ?? '');
  return kubeConfig;
}

const readyUrl = (spec: PlatformProcess): string => `http://127.0.0.1:${spec.port}/readyz`;

async function waitReady(spec: PlatformProcess, pid: number): Promise<void> {
  const seen = await pollUntil(
    async () => {
      if (await httpOk(readyUrl(spec))) return 'ready';
      return (await runningPid(spec.name)) === pid ? undefined : 'exited';
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  if (seen === 'ready') return;
  throw new Error(`${spec.name} did not become ready; see ${logFile(spec.name)}`);
}

async function ensureProcess(spec: PlatformProcess, env: NodeJS.ProcessEnv): Promise<string> {
  const pid = await runningPid(spec.name);
  if (pid !== undefined && (await httpOk(readyUrl(spec)))) return 'already running';
  if (pid !== undefined) await stop(spec.name);
  const script = join(projectRoot, spec.script);
  const started = await launch({
    name: spec.name,
    cmd: process.execPath,
    args: ['--import', 'tsx', script],
    cwd: projectRoot,
    env: { ...env, ...spec.env },
    identity: script,
  });
  await waitReady(spec, started);
  return 'started';
}

/**
 * What `npm start` traces: whole traces (the relay and persister follow the API's decision)
 * for one purchase in a hundred, so the demo shows traces in Jaeger without tracing costing
 * the API much of its throughput. A request whose traceparent says "sampled" is always
 * traced. The shell's own OTEL_TRACES_SAMPLER(_ARG) win. See docs/benchmarks.md.
 */
export const localTraceSampling = {
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
  OTEL_TRACES_SAMPLER_ARG: '0.01',
} as const;

/**
 * The environment `flashsale start` gives every platform process, before the process's own
 * `env` (its ports); `flashsale bench` starts its API, relay and persister with it too. The
 * stack's endpoints include OTEL_EXPORTER_OTLP_ENDPOINT (its Jaeger), so the API, relay and
 * persister export their traces there; each names itself (OTEL service name) at start.
 */
export async function platformBaseEnv(
  stackEnv: Record<string, string>,
): Promise<NodeJS.ProcessEnv> {
  return {
    ...localTraceSampling,
    ...process.env,
    ...stackEnv,
    AUTH_JWT_SECRET: await localJwtSecret(),
  };
}

/**
 * `flashsale migrate`: brings the schema of `DATABASE_URL` (the local stack's when the shell
 * sets none) up to date; the persister and the operator refuse to start until it has run.
 * Returns the migrations it applied.
 */
export async function migrateDatabase(env: NodeJS.ProcessEnv): Promise<string[]> {
  const sequelize = connectDatabase(loadDatabaseConfig(env));
  try {
    const ran = await migrate(sequelize);
    return ran;
  } finally {
    await sequelize.close();
  }
}

/**
 * Migrates the database, then starts every platform process that is not running and
 * registers it with Prometheus.
 */
export async function platformUp(stackEnv: Record<string, string>): Promise<void> {
  const env = await platformBaseEnv(stackEnv);
  // The operator watches FlashSales: the API server must serve them before it starts.
  await applyFlashSaleCrd(kubeConfigFrom(stackEnv), 'flashsale-cli');
  const ran = await migrateDatabase(env);
  log(`    migrate: ${ran.length ? `applied ${ran.join(', ')}` : 'the schema is up to date'}`);
  for (const spec of platformProcesses) {
    const outcome = await ensureProcess(spec, env);
    await registerScrapeTarget(spec.name, `127.0.0.1:${spec.port}`, {
      service: spec.name.replace(/-\d+$/, ''),
    });
    log(`    ${spec.name}: ${outcome} (http://127.0.0.1:${spec.port})`);
  }
  await storefrontUp(env);
}

export async function platformDown(): Promise<string[]> {
  const stopped: string[] = [];
  if (await stop(storefront.name)) stopped.push(storefront.name);
  for (const spec of platformProcesses) {
    if (await stop(spec.name, 30_000)) stopped.push(spec.name);
    await unregisterScrapeTarget(spec.name);
  }
  return stopped;
}
