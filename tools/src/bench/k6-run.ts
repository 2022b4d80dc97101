import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinned } from './cores.ts';

/** How to run one k6 script. */
export interface K6Run {
  /** The k6 binary (`toolBin('k6')` from @flashsale/stack). */
  readonly k6: string;
  readonly script: string;
  /**
   * The script's `__ENV`. Passed through the environment, not `-e` flags, so the JWT secret
   * never shows in the process list.
   */
  readonly env: Readonly<Record<string, string | number>>;
  /** 'inherit' streams k6's own report to the terminal; 'capture' keeps it for a failure message. */
  readonly output: 'inherit' | 'capture';
  /** taskset cores to run k6 on (the bench pins it apart from the servers). */
  readonly cores?: string;
  /** Also stream every sample to a Prometheus (docs/observability.md). */
  readonly prometheus?: K6PrometheusOutput;
}

/** k6's built-in Prometheus remote-write output (`-o experimental-prometheus-rw`). */
export interface K6PrometheusOutput {
  /** The remote-write endpoint, e.g. http://prometheus:9090/api/v1/write. */
  readonly remoteWriteUrl: string;
  /** The `testid` tag on every series, to tell this run apart on the dashboards. */
  readonly testId: string;
}

/** Trend statistics sent as gauges, e.g. k6_http_req_duration_p99 (in seconds). */
const remoteWriteTrendStats = 'p(50),p(95),p(99),max';

/** One metric of k6's exported summary: trend stats (ms) or counter/rate values. */
export type K6Metric = Readonly<Record<string, number | Readonly<Record<string, unknown>>>>;

export interface K6Result {
  /** 0: passed; 99: thresholds failed; anything else: k6 itself failed. */
  readonly exitCode: number;
  readonly metrics: Readonly<Record<string, K6Metric>>;
  /** What k6 printed, when captured (empty when streamed). */
  readonly output: string;
  /** The thresholds that failed, as `metric: expression`. */
  readonly failedThresholds: readonly string[];
}

/** One metric of what handleSummary (tools/load/summary.js) writes to SUMMARY_FILE. */
interface SummaryMetric {
  readonly values?: K6Metric;
  readonly thresholds?: Readonly<Record<string, { ok: boolean }>>;
}

/** k6's exit code when the test ran but a threshold failed. */
export const k6ThresholdsFailed = 99;

function prometheusArgs(output: K6PrometheusOutput | undefined): {
  args: string[];
  env: Record<string, string>;
} {
  if (!output) return { args: [], env: {} };
  return {
    args: ['-o', 'experimental-prometheus-rw', '--tag', `testid=${output.testId}`],
    env: {
      K6_PROMETHEUS_RW_SERVER_URL: output.remoteWriteUrl,
      K6_PROMETHEUS_RW_TREND_STATS: remoteWriteTrendStats,
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
    },
  };
}

function spawnK6(run: K6Run, summaryFile: string): Promise<{ code: number; output: string }> {
  const prometheus = prometheusArgs(run.prometheus);
  const args = ['run', '--no-color', ...prometheus.args];
  if (run.output === 'capture') args.push('--quiet');
  args.push(run.script);
  const scriptEnv = Object.fromEntries(
    Object.entries({ ...run.env, ...prometheus.env, SUMMARY_FILE: summaryFile }).map(
      ([name, value]) => [name, String(value)],
    ),
  );
  return new Promise((resolve, reject) => {
    const command = pinned(run.cores, run.k6, args);
    const child = spawn(command.command, command.args, {
      // Never phone home from a benchmark (and the CI machine may have no route out).
      env: { ...process.env, ...scriptEnv, K6_NO_USAGE_REPORT: 'true' },
      stdio: run.output === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) =>
      reject(
        new Error(
          `could not run k6 at ${run.k6}: install it with \`npx flashsale stack install\``,
          { cause: error },
        ),
      ),
    );
    child.once('close', (code) =>
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

/** The metrics and failed thresholds of handleSummary's JSON. */
export function parseSummary(text: string): Pick<K6Result, 'metrics' | 'failedThresholds'> {
  const parsed = JSON.parse(text) as { metrics?: Record<string, SummaryMetric> };
  const entries = Object.entries(parsed.metrics ?? {});
  return {
    metrics: Object.fromEntries(entries.map(([name, metric]) => [name, metric.values ?? {}])),
    failedThresholds: entries.flatMap(([name, metric]) =>
      Object.entries(metric.thresholds ?? {})
        .filter(([, result]) => !result.ok)
        .map(([threshold]) => `${name}: ${threshold}`),
    ),
  };
}

/**
 * Runs k6 and returns its exit code with the summary its handleSummary wrote to SUMMARY_FILE
 * (every script in tools/load exports the one of tools/load/summary.js).
 */
export async function runK6(run: K6Run): Promise<K6Result> {
  const dir = await mkdtemp(join(tmpdir(), 'flashsale-k6-'));
  const summaryFile = join(dir, 'summary.json');
  try {
    const { code, output } = await spawnK6(run, summaryFile);
    const summary = await readFile(summaryFile, 'utf8').catch(() => undefined);
    if (summary === undefined) {
      throw new Error(
        `k6 exited with ${code} before writing its summary (${run.script}: does it export handleSummary from summary.js?); its output:\n${output}`,
      );
    }
    return { exitCode: code, ...parseSummary(summary), output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A counter's count (0 when k6 never saw a sample). */
export function counterValue(result: K6Result, metric: string): number {
  const value = result.metrics[metric]?.count;
  return typeof value === 'number' ? value : 0;
}

export interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** p50/p95/p99 in milliseconds of a trend (the script sets summaryTrendStats to include them). */
export function latencyOf(result: K6Result, metric = 'http_req_duration'): Latency {
  const trend = result.metrics[metric];
  const stat = (name: string): number => {
    const value = trend?.[name];
    if (typeof value !== 'number') {
      throw new Error(
        `k6's summary has no ${name} for ${metric}: add it to the script's summaryTrendStats`,
      );
    }
    return value;
  };
  return { p50: stat('med'), p95: stat('p(95)'), p99: stat('p(99)') };
}
