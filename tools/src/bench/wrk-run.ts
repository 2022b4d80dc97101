import { spawn } from 'node:child_process';
import { stopwatch } from '@flashsale/runtime';
import { clockTicksPerSecond, cpuShare, readProcCpu, type CpuShare } from './cpu-time.ts';
import { pinned } from './cores.ts';

/** What tools/load/wrk-crowd.lua reports in its "flashsale-wrk {json}" line. */
export interface WrkReport {
  readonly requests: number;
  readonly durationSeconds: number;
  /** Socket errors and timeouts (wrk counts answers with status > 399 apart, in `statuses`). */
  readonly socketErrors: number;
  /** Answers with status > 399, as wrk counts them. */
  readonly errorStatuses: number;
  /** Answers by status; only the open model (which times every answer in Lua) fills it. */
  readonly statuses: Readonly<Record<string, number>>;
  /** True when latencies are measured from each request's scheduled time (open model). */
  readonly corrected: boolean;
  /** Latency percentiles in milliseconds. */
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p999: number;
  };
}

const marker = 'flashsale-wrk ';

function numberAt(record: Record<string, unknown>, name: string, context: string): number {
  const value = record[name];
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new Error(`wrk's report has no number "${name}" in ${context}`);
  }
  return value;
}

function objectAt(record: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = record[name];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Parses the report line of wrk-crowd.lua out of everything wrk printed. */
export function parseWrkReport(output: string): WrkReport {
  const line = output.split('\n').find((entry) => entry.startsWith(marker));
  if (!line)
    throw new Error(`wrk printed no "${marker.trim()}" report line; it printed:\n${output}`);
  const report = JSON.parse(line.slice(marker.length)) as Record<string, unknown>;
  const errors = objectAt(report, 'errors');
  const latency = objectAt(report, 'latencyUs');
  const ms = (name: string): number => numberAt(latency, name, 'latencyUs') / 1000;
  const statuses = Object.fromEntries(
    Object.entries(objectAt(report, 'statuses')).map(([status, count]) => [status, Number(count)]),
  );
  return {
    requests: numberAt(report, 'requests', 'the report'),
    durationSeconds: numberAt(report, 'durationUs', 'the report') / 1e6,
    socketErrors: ['connect', 'read', 'write', 'timeout']
      .map((name) => numberAt(errors, name, 'errors'))
      .reduce((sum, count) => sum + count, 0),
    errorStatuses: numberAt(errors, 'status', 'errors'),
    statuses,
    corrected: report.corrected === true,
    latencyMs: { p50: ms('p50'), p90: ms('p90'), p99: ms('p99'), p999: ms('p999') },
  };
}

/** How many answers were not `expectStatus`, from what wrk can tell. */
export function unexpectedAnswers(report: WrkReport, expectStatus: number): number {
  const counted = Object.values(report.statuses).reduce((sum, count) => sum + count, 0);
  if (counted > 0) {
    return report.socketErrors + counted - (report.statuses[String(expectStatus)] ?? 0);
  }
  // The closed model leaves answers unparsed (cheaper for wrk): only "> 399 or not" is known.
  const wrong = expectStatus > 399 ? report.requests - report.errorStatuses : report.errorStatuses;
  return report.socketErrors + wrong;
}

export interface WrkRun {
  readonly wrk: string;
  readonly script: string;
  readonly url: string;
  readonly tokenFile: string;
  readonly threads: number;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly idempotencyKey: boolean;
  /** Requests a second for the open model; closed model when absent. */
  readonly rate?: number;
  /** taskset cores for wrk. */
  readonly cores?: string;
  readonly machineCores: number;
}

export interface WrkResult {
  readonly report: WrkReport;
  /** wrk's own CPU use over the run. */
  readonly cpu: CpuShare;
  readonly output: string;
}

export function wrkArgs(run: WrkRun): string[] {
  return [
    `-t${run.threads}`,
    `-c${run.connections}`,
    `-d${run.durationSeconds}s`,
    '--timeout',
    '10s',
    '-s',
    run.script,
    run.url,
  ];
}

function spawnWrk(run: WrkRun): Promise<{ code: number; output: string }> {
  const { command, args } = pinned(run.cores, run.wrk, wrkArgs(run));
  const env = {
    ...process.env,
    WRK_TOKENS: run.tokenFile,
    WRK_THREADS: String(run.threads),
    WRK_IDEMPOTENCY: String(run.idempotencyKey),
    WRK_RATE: run.rate === undefined ? '' : String(run.rate),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) =>
      reject(
        new Error(
          `could not run wrk (${run.wrk}): install it with \`npx flashsale stack install\``,
          {
            cause: error,
          },
        ),
      ),
    );
    child.once('close', (code) =>
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

/**
 * Runs wrk once. Its CPU time is what this process's reaped children gained meanwhile
 * (cutime + cstime of /proc/self/stat): wrk is the only child that exits during a run.
 */
export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const ticks = await clockTicksPerSecond();
  const before = await readProcCpu('self');
  const watch = stopwatch();
  const { code, output } = await spawnWrk(run);
  const wallSeconds = watch.elapsedMs() / 1000;
  const after = await readProcCpu('self');
  if (code !== 0) throw new Error(`wrk exited with ${code} against ${run.url}:\n${output}`);
  return {
    report: parseWrkReport(output),
    cpu: cpuShare((after.children - before.children) / ticks, wallSeconds, run.machineCores),
    output,
  };
}
