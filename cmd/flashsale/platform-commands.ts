import type { Command } from 'commander';
import { down, formatEnv, log, prometheusUrl, up } from '@flashsale/stack';
import type { Sale } from '@flashsale/contract';
import { printResult, withJsonOption, type OutputFlags } from './cli-output.ts';
import { ensureDemoSale } from './demo-sale.ts';
import { platformEnv, required } from './platform-env.ts';
import {
  apiPorts,
  kubeConfigFrom,
  migrateDatabase,
  platformDown,
  platformProcesses,
  platformUp,
  storefrontUrl,
} from './local-platform.ts';
import { reportStopped } from './stack-commands.ts';
import { stopwatch } from '@flashsale/runtime';

/** What `flashsale start` reports: where everything answers (docs/cli.md). */
export interface StartedPlatform {
  readonly storefrontUrl: string;
  readonly apiUrls: readonly string[];
  readonly demoSale: Sale;
  readonly prometheusUrl: string;
  readonly jaegerUrl: string | null;
  readonly metricsUrls: readonly string[];
  /** The stack's endpoints, as `stack up` prints them. */
  readonly endpoints: Readonly<Record<string, string>>;
}

function startedPlatform(demoSale: Sale, endpoints: Record<string, string>): StartedPlatform {
  return {
    storefrontUrl,
    apiUrls: apiPorts.map((port) => `http://127.0.0.1:${port}`),
    demoSale,
    prometheusUrl: prometheusUrl(),
    jaegerUrl: endpoints.JAEGER_URL ?? null,
    metricsUrls: platformProcesses.map((spec) => `http://127.0.0.1:${spec.port}/metrics`),
    endpoints,
  };
}

function usage(started: StartedPlatform): string {
  const sale = started.demoSale;
  const api = started.apiUrls[0] ?? '';
  return [
    '',
    'The platform runs locally.',
    `  Storefront:   ${started.storefrontUrl}`,
    `  API:          ${started.apiUrls.join('  ')}`,
    `  Demo sale:    ${api}/api/sales/${sale.name}  (${sale.state}; starts ${sale.startsAt})`,
    `  Prometheus:   ${started.prometheusUrl}`,
    // Jaeger's Go module carries no UI bundle: its page is a placeholder, the query API is real.
    `  Jaeger:       ${started.jaegerUrl ?? ''}  (traces: /api/traces?service=flashsale-api)`,
    `  Metrics:      ${started.metricsUrls.join('\n                ')}`,
    '',
    'Get a dev token and buy:',
    `  TOKEN=$(curl -s -X POST ${api}/api/auth/dev-login -H 'Content-Type: application/json' -d '{"userId":"alice"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`,
    `  curl -s -X POST ${api}/api/sales/${sale.name}/purchases -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -H "Idempotency-Key: $(uuidgen || date +%s%N)" -d '{"quantity":1}'`,
    '',
    `Check the pipeline:  npx flashsale sale verify ${sale.name}`,
    'Stop everything:     npx flashsale stop',
    '',
  ].join('\n');
}

// The storefront's URL comes first: it is what most people start the platform for.
const formatStarted = (started: StartedPlatform): string =>
  `Storefront: ${started.storefrontUrl}\n\n${formatEnv(started.endpoints)}${usage(started)}`;

export function registerPlatformCommands(program: Command): void {
  withJsonOption(
    program
      .command('start')
      .description(
        'run the platform locally: the stack, 2 API processes, relay, persister, storefront, demo sale',
      ),
  ).action(async (flags: OutputFlags) => {
    const watch = stopwatch();
    const endpoints = await up();
    await platformUp(endpoints);
    const demo = await ensureDemoSale(kubeConfigFrom(endpoints), endpoints.REDIS_URL ?? '');
    log(`flashsale start: ready in ${watch.seconds()}s`);
    printResult(flags, startedPlatform(demo, endpoints), formatStarted);
  });

  withJsonOption(
    program.command('stop').description('stop the platform processes and the local stack'),
  ).action(async (flags: OutputFlags) => {
    reportStopped(flags, [...(await platformDown()), ...(await down())]);
  });

  withJsonOption(
    program
      .command('migrate')
      .description(
        "bring the PostgreSQL schema up to date (DATABASE_URL, else the local stack's); run before the persister and operator start",
      ),
  ).action(async (flags: OutputFlags) => {
    const env = await platformEnv();
    required(env, 'DATABASE_URL');
    const applied = await migrateDatabase(env);
    printResult(flags, { applied }, (result) =>
      result.applied.length ? `applied: ${result.applied.join(', ')}` : 'the schema is up to date',
    );
  });

  const platform = program
    .command('platform')
    .description('the platform processes alone (the stack must be up)');
  platform
    .command('up')
    .description('start the API processes, relay and persister')
    .action(async () => {
      await platformUp(await up());
    });
  withJsonOption(
    platform.command('down').description('stop the API processes, relay and persister'),
  ).action(async (flags: OutputFlags) => {
    reportStopped(flags, await platformDown());
  });
}
