import type { Command } from 'commander';
import {
  doctor,
  down,
  formatDoctor,
  formatEnv,
  installAll,
  log,
  status,
  up,
  type ComponentStatus,
  type DoctorRow,
} from '@flashsale/stack';
import { printResult, withJsonOption, type OutputFlags } from './cli-output.ts';
import { stopwatch } from '@flashsale/runtime';

/** A component of `stack status --json`: `pid` is null when it does not run. */
export interface StackStatusRow {
  readonly name: string;
  readonly port: number;
  readonly pid: number | null;
  readonly ready: boolean;
}

/** A row of `doctor --json`: `version` is null when the tool is missing. */
export interface DoctorJsonRow {
  readonly name: string;
  readonly version: string | null;
  readonly state: DoctorRow['state'];
  readonly pid: number | null;
}

export const stackStatusRow = (row: ComponentStatus): StackStatusRow => ({
  name: row.name,
  port: row.port,
  pid: row.pid ?? null,
  ready: row.ready,
});

export const doctorJsonRow = (row: DoctorRow): DoctorJsonRow => ({
  name: row.name,
  version: row.version ?? null,
  state: row.state,
  pid: row.pid ?? null,
});

function componentState(row: StackStatusRow): string {
  if (row.ready) return `running (pid ${row.pid})`;
  return row.pid === null ? 'stopped' : `not answering (pid ${row.pid})`;
}

export function formatStackStatus(rows: readonly StackStatusRow[]): string {
  return rows
    .map(
      (row) => `${row.name.padEnd(16)}${`127.0.0.1:${row.port}`.padEnd(18)}${componentState(row)}`,
    )
    .join('\n');
}

/** What stop commands report: the processes they stopped. */
export interface Stopped {
  readonly stopped: readonly string[];
}

/** Stop commands say what they stopped on stderr, or as `{stopped}` on stdout with --json. */
export function reportStopped(flags: OutputFlags, stopped: readonly string[]): void {
  if (flags.json === true) printResult(flags, { stopped }, () => '');
  else log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
}

function registerStackLifecycle(stack: Command): void {
  stack
    .command('install')
    .description(
      'install or build every component (idempotent, cached under the user cache directory)',
    )
    .action(async () => {
      await installAll();
    });

  withJsonOption(
    stack
      .command('up')
      .description(
        'start what is not running, wait until ready, print the endpoints as shell exports',
      )
      .option(
        '--redis-cluster',
        'also start a three-master Redis Cluster (FLASHSALE_REDIS_MODE=cluster; docs/redis-cluster.md)',
      ),
  ).action(async (flags: OutputFlags & { redisCluster?: boolean }) => {
    if (flags.redisCluster === true) process.env.FLASHSALE_REDIS_MODE = 'cluster';
    const watch = stopwatch();
    const endpoints = await up();
    log(`stack up: ready in ${watch.seconds()}s`);
    printResult(flags, endpoints, formatEnv);
  });

  withJsonOption(stack.command('down').description('stop everything the stack started')).action(
    async (flags: OutputFlags) => {
      reportStopped(flags, await down());
    },
  );
}

/** `flashsale stack install|up|down|status` and `flashsale doctor`. */
export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description(
      'the real local stack: Redis, PostgreSQL, Kafka, etcd, kube-apiserver, Prometheus',
    );
  registerStackLifecycle(stack);

  withJsonOption(stack.command('status').description('show which components run')).action(
    async (flags: OutputFlags) => {
      printResult(flags, (await status()).map(stackStatusRow), formatStackStatus);
    },
  );

  withJsonOption(
    program.command('doctor').description('every component with its version, and whether it runs'),
  ).action(async (flags: OutputFlags) => {
    const rows = await doctor();
    printResult(flags, rows.map(doctorJsonRow), () => formatDoctor(rows));
    // A missing tool is a failure (exit 1): `doctor` is the check a fresh machine runs.
    if (rows.some((row) => row.version === undefined)) process.exitCode = 1;
  });
}
