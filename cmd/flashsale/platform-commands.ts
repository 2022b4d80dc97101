import type { Command } from 'commander';
import { down, formatEnv, log, prometheusUrl, up } from '@flashsale/stack';
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

function usage(
  sale: { name: string; startsAt: string; state: string },
  endpoints: Record<string, string>,
): string {
  const api = `http://127.0.0.1:${apiPorts[0]}`;
  return [
    '',
    'The platform runs locally.',
    `  Storefront:   ${storefrontUrl}`,
    `  API:          ${apiPorts.map((port) => `http://127.0.0.1:${port}`).join('  ')}`,
    `  Demo sale:    ${api}/api/sales/${sale.name}  (${sale.state}; starts ${sale.startsAt})`,
    `  Prometheus:   ${prometheusUrl()}`,
    // Jaeger's Go module carries no UI bundle: its page is a placeholder, the query API is real.
    `  Jaeger:       ${endpoints.JAEGER_URL ?? ''}  (traces: /api/traces?service=flashsale-api)`,
    `  Metrics:      ${platformProcesses.map((p) => `http://127.0.0.1:${p.port}/metrics`).join('\n                ')}`,
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

export function registerPlatformCommands(program: Command): void {
  program
    .command('start')
    .description(
      'run the platform locally: the stack, 2 API processes, relay, persister, storefront, demo sale',
    )
    .action(async () => {
      const startedAt = Date.now();
      const endpoints = await up();
      await platformUp(endpoints);
      const demo = await ensureDemoSale(kubeConfigFrom(endpoints), endpoints.REDIS_URL ?? '');
      log(`flashsale start: ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
      // The storefront's URL comes first: it is what most people start the platform for.
      process.stdout.write(
        `Storefront: ${storefrontUrl}\n\n${formatEnv(endpoints)}${usage(demo, endpoints)}`,
      );
    });

  program
    .command('stop')
    .description('stop the platform processes and the local stack')
    .action(async () => {
      const stopped = [...(await platformDown()), ...(await down())];
      log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
    });

  program
    .command('migrate')
    .description(
      "bring the PostgreSQL schema up to date (DATABASE_URL, else the local stack's); run before the persister and operator start",
    )
    .action(async () => {
      const env = await platformEnv();
      required(env, 'DATABASE_URL');
      await migrateDatabase(env);
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
  platform
    .command('down')
    .description('stop the API processes, relay and persister')
    .action(async () => {
      const stopped = await platformDown();
      log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
    });
}
