import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';
import { projectRoot, toolBin } from '@flashsale/stack';
import { counterValue, k6ThresholdsFailed, runK6 } from '../src/bench/k6-run.ts';
import { runContention, runSustained } from '../src/bench/load-runs.ts';
import { createLoadSale } from '../src/bench/load-sale.ts';
import { deleteKeysUnderPrefix } from '../src/bench/prefixed-keys.ts';
import { backgroundRedis, type RedisClient } from '@flashsale/runtime';
import {
  eventually,
  isolatedNames,
  IsolatedPlatform,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';

interface QueryAnswer {
  readonly status: string;
  readonly data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: projectRoot, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('load: the --prometheus flag of flashsale load', () => {
  it('refuses a --prometheus value that is not an http(s) URL with a usage error (exit 2)', async () => {
    const cli = join(projectRoot, 'cmd', 'flashsale', 'flashsale.mjs');
    const answer = await run(process.execPath, [
      cli,
      'load',
      'sustained',
      '--prometheus',
      'ftp://x',
    ]);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain("option '--prometheus [url]' argument 'ftp://x' is invalid");
  });
});

/**
 * k6 against a private copy of the platform (API, relay, persister) on the real stack, its
 * samples written to the stack's Prometheus with k6's built-in remote-write output.
 */
describe('load: k6 results in Prometheus, the summary file and latency thresholds', () => {
  const names = isolatedNames('k6 prometheus');
  let platform: IsolatedPlatform;
  let apiUrl: string;
  let redis: RedisClient;
  let database: Sequelize;
  let prometheusUrl: string;

  async function query(promql: string): Promise<QueryAnswer['data']> {
    const response = await fetch(
      `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    return ((await response.json()) as QueryAnswer).data;
  }

  const target = (): Parameters<typeof runContention>[0] => ({
    k6: toolBin('k6'),
    scriptDir: join(projectRoot, 'tools', 'load'),
    apiUrls: [apiUrl],
    jwtSecret: platform.secret,
    redis,
    database,
    output: 'capture',
  });

  beforeAll(async () => {
    const stack = await useStack();
    prometheusUrl = stack.PROMETHEUS_URL;
    platform = new IsolatedPlatform(names, stack);
    await platform.prepare();
    await platform.start('persister');
    await platform.start('relay');
    apiUrl = await platform.start('api');
    redis = backgroundRedis(stack.REDIS_URL, names.redisPrefix);
    await redis.connect();
    database = new Sequelize(platform.database, { logging: false });
  }, stackStartTimeoutMs + 60_000);

  afterAll(async () => {
    await platform?.stopAll();
    if (redis) await deleteKeysUnderPrefix(redis);
    redis?.disconnect();
    await database?.close();
    await platform?.cleanUp();
  }, 60_000);

  it('writes every k6 request of a contention run to Prometheus under its testid', async () => {
    const testId = names.id;
    const outcome = await runContention(
      { ...target(), prometheus: { remoteWriteUrl: `${prometheusUrl}/api/v1/write`, testId } },
      { users: 120, stock: 50, vus: 10 },
    );
    expect(outcome.problems).withContext(outcome.k6.output).toEqual([]);
    const requests = counterValue(outcome.k6, 'http_reqs');
    expect(requests).toBeGreaterThan(120);
    // The same counts in Prometheus as in k6's own summary.
    const sum = async (metric: string): Promise<number | undefined> => {
      const result = (await query(`sum(${metric}{testid="${testId}"})`))?.result[0];
      return result ? Number(result.value[1]) : undefined;
    };
    await eventually('k6 series with the testid in Prometheus', async () =>
      (await sum('k6_http_reqs_total')) === requests ? true : undefined,
    );
    expect(await sum('k6_confirmed_total')).toBe(50);
    const p99 = await query(`k6_http_req_duration_p99{testid="${testId}",name="purchase"}`);
    expect(p99?.result.length).toBeGreaterThan(0);
    // Trend statistics arrive in seconds (the dashboards' unit); k6's summary has milliseconds.
    const slowest = Number(
      (await query(`max(k6_http_req_duration_max{testid="${testId}"})`))?.result[0]?.value[1],
    );
    const summaryMax = outcome.k6.metrics['http_req_duration']?.['max'] as number;
    expect(Math.abs(slowest * 1000 - summaryMax)).toBeLessThan(summaryMax * 0.01 + 0.01);
    const otherRun = await query(`k6_http_reqs_total{testid="${testId}-not-this-one"}`);
    expect(otherRun?.result).toEqual([]);
  }, 120_000);

  it('writes the summary file with handleSummary and prints its report', async () => {
    const sale = await createLoadSale(redis, database, {
      label: 'summary',
      stock: 100,
      perUserLimit: 1,
    });
    const dir = await mkdtemp(join(tmpdir(), 'flashsale-summary-'));
    try {
      const summaryFile = join(dir, 'summary.json');
      const answer = await run(
        toolBin('k6'),
        ['run', '--quiet', '--no-color', 'tools/load/sustained.js'],
        {
          ...process.env,
          K6_NO_USAGE_REPORT: 'true',
          API_URLS: apiUrl,
          SALE: sale.name,
          AUTH_JWT_SECRET: platform.secret,
          RATE: '10',
          DURATION: '2s',
          SUMMARY_FILE: summaryFile,
        },
      );
      expect(answer.code)
        .withContext(answer.stdout + answer.stderr)
        .toBe(0);
      const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as {
        metrics: Record<string, { values: Record<string, number> }>;
      };
      expect(summary.metrics['confirmed']?.values['count']).toBe(
        summary.metrics['iterations']?.values['count'],
      );
      expect(Object.keys(summary.metrics['http_req_duration']?.values ?? {})).toContain('p(99)');
      expect(answer.stdout).toContain('thresholds:');
      expect(answer.stdout).toContain('ok   http_req_duration{name:purchase}: p(99)<500');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails a sustained run whose purchase latency is above its p99 bound, and passes within it', async () => {
    const within = await runSustained(target(), { rate: 10, durationSeconds: 2 });
    expect(within.problems).withContext(within.k6.output).toEqual([]);
    const sale = await createLoadSale(redis, database, {
      label: 'latency',
      stock: 100,
      perUserLimit: 1,
    });
    // No HTTP round trip takes a microsecond: the p99 threshold must fail, the counts must not.
    const tooFast = await runK6({
      k6: toolBin('k6'),
      script: join(projectRoot, 'tools', 'load', 'sustained.js'),
      env: {
        API_URLS: apiUrl,
        SALE: sale.name,
        AUTH_JWT_SECRET: platform.secret,
        RATE: 10,
        DURATION: '2s',
        P99_MS: 0.001,
      },
      output: 'capture',
    });
    expect(tooFast.exitCode).withContext(tooFast.output).toBe(k6ThresholdsFailed);
    expect(tooFast.failedThresholds).toEqual(['http_req_duration{name:purchase}: p(99)<0.001']);
  }, 90_000);
});
