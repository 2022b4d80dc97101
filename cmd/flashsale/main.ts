import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import {
  describeFailure,
  doctor,
  down,
  formatDoctor,
  formatEnv,
  installAll,
  log,
  status,
  up,
} from '@flashsale/stack';
import { registerBenchCommands } from './bench-commands.ts';
import { registerClusterCommands } from './cluster-commands.ts';
import { registerPlatformCommands } from './platform-commands.ts';
import { registerSaleCommands } from './sale-commands.ts';

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as { version: string };

const program = new Command('flashsale')
  .description('Flash sale platform: local stack and operations')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError()
  // Usage errors exit 2, failures 1 (docs/cli.md): scripts can tell a typo from an outage.
  .exitOverride();

const stack = program
  .command('stack')
  .description('the real local stack: Redis, PostgreSQL, Kafka, etcd, kube-apiserver, Prometheus');

stack
  .command('install')
  .description(
    'install or build every component (idempotent, cached under the user cache directory)',
  )
  .action(async () => {
    await installAll();
  });

stack
  .command('up')
  .description('start what is not running, wait until ready, print the endpoints as shell exports')
  .option(
    '--redis-cluster',
    'also start a three-master Redis Cluster (FLASHSALE_REDIS_MODE=cluster)',
  )
  .action(async (options: { redisCluster?: boolean }) => {
    if (options.redisCluster) process.env.FLASHSALE_REDIS_MODE = 'cluster';
    const startedAt = Date.now();
    const endpoints = await up();
    log(`stack up: ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
    process.stdout.write(formatEnv(endpoints));
  });

stack
  .command('down')
  .description('stop everything the stack started')
  .action(async () => {
    const stopped = await down();
    log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
  });

stack
  .command('status')
  .description('show which components run')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const rows = await status();
    if (options.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    for (const row of rows) {
      const state = row.ready
        ? `running (pid ${row.pid})`
        : row.pid
          ? `not answering (pid ${row.pid})`
          : 'stopped';
      process.stdout.write(`${row.name.padEnd(16)}${`127.0.0.1:${row.port}`.padEnd(18)}${state}\n`);
    }
  });

program
  .command('doctor')
  .description('every component with its version, and whether it runs')
  .option('--json', 'print JSON')
  .action(async (options: { json?: boolean }) => {
    const rows = await doctor();
    process.stdout.write(
      options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatDoctor(rows)}\n`,
    );
    if (rows.some((row) => row.version === undefined)) process.exitCode = 1;
  });

registerSaleCommands(program);
registerPlatformCommands(program);
registerBenchCommands(program);
registerClusterCommands(program);

/** Commander's own exits (help, version) keep their code; its usage errors become 2. */
function exitCodeOf(error: unknown): number {
  if (!(error instanceof CommanderError)) return 1;
  return error.exitCode === 0 ? 0 : 2;
}

try {
  await program.parseAsync();
} catch (error) {
  if (!(error instanceof CommanderError)) process.stderr.write(`${describeFailure(error)}\n`);
  process.exitCode = exitCodeOf(error);
}
