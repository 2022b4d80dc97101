import { join } from 'node:path';
import { stopwatch, type RedisClient } from '@flashsale/runtime';
import type { Sequelize } from 'sequelize';
import { SaleStore } from '@flashsale/platform';
import type { SaleVerification } from '@flashsale/platform';
import {
  counterValue,
  k6ThresholdsFailed,
  latencyOf,
  runK6,
  type K6PrometheusOutput,
  type K6Result,
} from './k6-run.ts';
import { createLoadSale, verifyLoadSale } from './load-sale.ts';

/** Where the load goes and what it needs: a running platform (API fleet, relay, persister). */
export interface LoadTarget {
  /** The k6 binary. */
  readonly k6: string;
  /** tools/load in the repository: the k6 scripts. */
  readonly scriptDir: string;
  /** Base URLs of the API processes; requests go round robin over them. */
  readonly apiUrls: readonly string[];
  /** The key the API processes verify tokens with (k6 signs the crowd's tokens with it). */
  readonly jwtSecret: string;
  /** The platform's Redis (with its key prefix) and PostgreSQL. */
  readonly redis: RedisClient;
  readonly database: Sequelize;
  readonly output: 'inherit' | 'capture';
  /** How long to wait for the outbox → Kafka → PostgreSQL pipeline to drain. */
  readonly drainWaitMs?: number;
  /** Also send k6's samples to this Prometheus (remote write), tagged with a testid. */
  readonly prometheus?: K6PrometheusOutput;
}

export interface ContentionOptions {
  readonly users: number;
  readonly stock: number;
  /** Concurrent buyers (k6 virtual users). */
  readonly vus: number;
}

export interface SustainedOptions {
  readonly rate: number;
  readonly durationSeconds: number;
  /** Units on sale; by default enough that the run never sells out. */
  readonly stock?: number;
  /** Latency thresholds in milliseconds (sustained.js defaults: p95 250, p99 500). */
  readonly p95Ms?: number;
  readonly p99Ms?: number;
}

/** What a load run found: k6's verdict, the pipeline's verdict, and why it failed if it did. */
export interface LoadOutcome {
  readonly sale: string;
  readonly durationMs: number;
  readonly k6: K6Result;
  readonly verification: SaleVerification;
  readonly problems: readonly string[];
}

function k6Problems(result: K6Result, stock?: number): string[] {
  if (result.exitCode === 0) return [];
  if (result.exitCode !== k6ThresholdsFailed) {
    return [
      `k6 failed (exit code ${result.exitCode}) before its thresholds could be judged; see its output above`,
    ];
  }
  const counts = ['server_errors', 'replay_mismatch', 'unexpected_status']
    .map((metric) => `${metric}=${counterValue(result, metric)}`)
    .join(', ');
  const confirmed =
    stock === undefined ? '' : `confirmed=${counterValue(result, 'confirmed')} of ${stock}, `;
  const failed =
    result.failedThresholds.length > 0 ? ` [${result.failedThresholds.join('; ')}]` : '';
  return [
    `k6 thresholds failed${failed}: ${confirmed}${counts} (counts must be exact, latencies within their bound; see k6's warnings)`,
  ];
}

function verificationProblems(sale: string, verification: SaleVerification): string[] {
  if (verification.consistent) return [];
  return [
    `sale ${sale} is not consistent once drained: ${JSON.stringify(verification)}; check the relay and persister logs (.flashsale/logs/) and rerun \`npx flashsale sale verify ${sale}\``,
  ];
}

async function runAndVerify(
  target: LoadTarget,
  sale: string,
  run: { script: string; env: Record<string, string | number>; stock?: number },
): Promise<LoadOutcome> {
  const watch = stopwatch();
  const k6 = await runK6({
    k6: target.k6,
    script: join(target.scriptDir, run.script),
    env: {
      ...run.env,
      API_URLS: target.apiUrls.join(','),
      SALE: sale,
      AUTH_JWT_SECRET: target.jwtSecret,
    },
    output: target.output,
    ...(target.prometheus ? { prometheus: target.prometheus } : {}),
  });
  const verification = await verifyLoadSale(
    target.redis,
    target.database,
    sale,
    target.drainWaitMs ?? 30_000,
  );
  return {
    sale,
    durationMs: watch.elapsedMs(),
    k6,
    verification,
    problems: [...k6Problems(k6, run.stock), ...verificationProblems(sale, verification)],
  };
}

/** A crowd of `users` distinct buyers against `stock` units, one unit each (see contention.js). */
export async function runContention(
  target: LoadTarget,
  options: ContentionOptions,
): Promise<LoadOutcome> {
  const sale = await createLoadSale(target.redis, target.database, {
    label: 'load-contention',
    stock: options.stock,
    perUserLimit: 1,
  });
  return runAndVerify(target, sale.name, {
    script: 'contention.js',
    env: { USERS: options.users, STOCK: options.stock, VUS: options.vus },
    stock: options.stock,
  });
}

/** `rate` purchases per second by distinct buyers for `durationSeconds` (see sustained.js). */
export async function runSustained(
  target: LoadTarget,
  options: SustainedOptions,
): Promise<LoadOutcome> {
  const sale = await createLoadSale(target.redis, target.database, {
    label: 'load-sustained',
    stock: options.stock ?? Math.ceil(options.rate * options.durationSeconds * 1.2),
    perUserLimit: 1,
  });
  return runAndVerify(target, sale.name, {
    script: 'sustained.js',
    env: {
      RATE: options.rate,
      DURATION: `${options.durationSeconds}s`,
      ...(options.p95Ms === undefined ? {} : { P95_MS: options.p95Ms }),
      ...(options.p99Ms === undefined ? {} : { P99_MS: options.p99Ms }),
    },
  });
}

/** One line per figure a user looks at after a run. */
export function describeOutcome(outcome: LoadOutcome): string {
  const latency = latencyOf(outcome.k6);
  const count = (metric: string): number => counterValue(outcome.k6, metric);
  return [
    `sale:          ${outcome.sale}`,
    `duration:      ${(outcome.durationMs / 1000).toFixed(1)} s (k6 and verification)`,
    `answers:       201 confirmed=${count('confirmed')}  410 sold_out=${count('sold_out')}  409 limit_reached=${count('limit_reached')}  429 rate_limited=${count('rate_limited')}  5xx=${count('server_errors')}  other=${count('unexpected_status')}  replay mismatches=${count('replay_mismatch')}`,
    `requests:      ${count('http_reqs')}  dropped iterations: ${count('dropped_iterations')}`,
    `latency (ms):  p50 ${latency.p50.toFixed(2)}  p95 ${latency.p95.toFixed(2)}  p99 ${latency.p99.toFixed(2)}`,
    `verify:        ${JSON.stringify(outcome.verification)}`,
    outcome.problems.length === 0
      ? 'result:        PASS'
      : `result:        FAIL\n  - ${outcome.problems.join('\n  - ')}`,
  ].join('\n');
}

/** Deletes a load sale's Redis keys once it has been verified; PostgreSQL keeps its rows. */
export async function removeLoadSale(redis: RedisClient, sale: string): Promise<void> {
  await new SaleStore(redis).remove(sale);
}
