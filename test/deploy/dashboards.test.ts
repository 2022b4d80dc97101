import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Sequelize } from 'sequelize';
import { parse } from 'yaml';
import {
  projectRoot,
  registerScrapeTarget,
  toolBin,
  unregisterScrapeTarget,
} from '@flashsale/stack';
import { runContention } from '@flashsale/platform/bench/load-runs.ts';
import { deleteKeysUnderPrefix } from '@flashsale/platform/bench/prefixed-keys.ts';
import { backgroundRedis } from '@flashsale/platform/redis/redis-client.ts';
import { eventually, isolatedNames } from '../harness/isolation.ts';
import { IsolatedPlatform, freePort } from '../harness/platform.ts';
import { stackStartTimeoutMs, useStack } from '../harness/stack.ts';
import { chartPath, mustRun, renderScenario } from './deploy-tools.ts';

interface Panel {
  readonly title: string;
  readonly targets: readonly { expr: string }[];
}

interface QueryAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: { result: unknown[] };
}

/** What Grafana substitutes before sending a panel's query. */
function asGrafanaSends(expr: string, namespace: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$namespace', namespace);
}

async function panelsOf(dashboard: string): Promise<Panel[]> {
  const text = await readFile(
    join(projectRoot, chartPath, 'dashboards', `${dashboard}.json`),
    'utf8',
  );
  return (JSON.parse(text) as { panels: Panel[] }).panels;
}

describe('deploy: Grafana dashboards and alerts on real metrics', () => {
  const names = isolatedNames('dashboards');
  // The label a ServiceMonitor/PodMonitor adds; the local targets get it too.
  const namespace = names.namespace;
  const targets: string[] = [];
  let platform: IsolatedPlatform;
  let prometheusUrl: string;
  let kubeconfig: string;
  let operator: ChildProcess | undefined;
  let redis: Redis;
  let database: Sequelize;
  let apiUrl: string;

  async function query(promql: string): Promise<QueryAnswer> {
    const response = await fetch(
      `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    return (await response.json()) as QueryAnswer;
  }

  async function scrape(name: string, url: string, job: string): Promise<void> {
    targets.push(`${names.id}-${name}`);
    await registerScrapeTarget(`${names.id}-${name}`, new URL(url).host, { namespace, job });
  }

  async function startOperator(): Promise<string> {
    const port = await freePort();
    operator = spawn(process.execPath, ['--import', 'tsx', 'cmd/operator/main.ts'], {
      cwd: projectRoot,
      stdio: 'ignore',
      env: {
        ...platform.env,
        KUBECONFIG: kubeconfig,
        OPERATOR_NAMESPACE: namespace,
        WATCH_NAMESPACE: namespace,
        LEASE_NAME: names.id,
        METRICS_PORT: String(port),
        METRICS_HOST: '127.0.0.1',
      },
    });
    const url = `http://127.0.0.1:${port}`;
    await eventually('the operator to lead', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return /^flashsale_operator_leader\S* 1$/m.test(text) ? true : undefined;
    });
    return url;
  }

  beforeAll(async () => {
    const stack = await useStack();
    prometheusUrl = stack.PROMETHEUS_URL;
    kubeconfig = stack.KUBECONFIG;
    platform = new IsolatedPlatform(names, stack);
    await platform.prepare();
    await scrape('persister', await platform.start('persister'), 'fs-flash-sale-workers');
    await scrape('relay', await platform.start('relay'), 'fs-flash-sale-workers');
    apiUrl = await platform.start('api');
    await scrape('api', apiUrl, 'fs-flash-sale-api');
    await mustRun('kubectl', ['create', 'namespace', namespace], { kubeconfig });
    await scrape('operator', await startOperator(), 'fs-flash-sale-workers');
    // A sale for the operator to reconcile.
    await mustRun(
      'kubectl',
      ['apply', '-n', namespace, '-f', 'manifests/samples/preset-small.yaml'],
      { kubeconfig },
    );
    redis = backgroundRedis(stack.REDIS_URL, names.redisPrefix);
    await redis.connect();
    database = new Sequelize(platform.database, { logging: false });
  }, stackStartTimeoutMs + 60_000);

  afterAll(async () => {
    await Promise.all(targets.map((target) => unregisterScrapeTarget(target)));
    operator?.kill('SIGTERM');
    await platform?.stopAll();
    if (redis) await deleteKeysUnderPrefix(redis);
    redis?.disconnect();
    await database?.close();
    await platform?.cleanUp();
    await mustRun('kubectl', ['delete', 'namespace', namespace, '--wait=false'], {
      kubeconfig,
    }).catch(() => '');
  }, 60_000);

  it('answers every panel of every dashboard with data after a short real load', async () => {
    const outcome = await runContention(
      {
        k6: toolBin('k6'),
        scriptDir: join(projectRoot, 'test', 'load'),
        apiUrls: [apiUrl],
        jwtSecret: platform.secret,
        redis,
        database,
        output: 'capture',
      },
      { users: 300, stock: 200, vus: 20 },
    );
    expect(outcome.verification.persisted).toBe(200);
    // Two scrapes after the last row was persisted.
    await eventually(
      'Prometheus to see every persisted row',
      async () => {
        const answer = await query(
          `sum(flashsale_events_persisted_total{namespace="${namespace}"})`,
        );
        return Number(
          (answer.data?.result[0] as { value: [number, string] } | undefined)?.value[1],
        ) >= 200
          ? true
          : undefined;
      },
      30_000,
    );
    // And two scrapes of the operator, so its counters have a rate.
    await eventually(
      'two scrapes of the operator',
      async () => {
        const answer = await query(
          `count_over_time(flashsale_operator_leader{namespace="${namespace}"}[1m]) >= 2`,
        );
        return answer.data?.result.length ? true : undefined;
      },
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const queries = (
      await Promise.all(
        ['overview', 'operator'].map(async (dashboard) =>
          (await panelsOf(dashboard)).flatMap((panel) =>
            panel.targets.map((target) => ({ what: `${dashboard} / ${panel.title}`, ...target })),
          ),
        ),
      )
    ).flat();
    const empty: string[] = [];
    for (const { what, expr } of queries) {
      const answer = await query(asGrafanaSends(expr, namespace));
      expect(answer.status)
        .withContext(`${what}: ${answer.error ?? ''}`)
        .toBe('success');
      if (!answer.data?.result.length) empty.push(`${what}: ${expr}`);
    }
    expect(queries.length).toBe(20);
    expect(empty).toEqual([]);
  }, 120_000);

  it('has alert expressions Prometheus accepts', async () => {
    const rendered = await renderScenario('production', namespace);
    const rule = rendered
      .split(/^---$/m)
      .map(
        (document) =>
          parse(document) as {
            kind?: string;
            spec?: { groups: { rules: { alert: string; expr: string }[] }[] };
          } | null,
      )
      .find((object) => object?.kind === 'PrometheusRule');
    const rules = rule?.spec?.groups.flatMap((group) => group.rules) ?? [];
    expect(rules.map((r) => r.alert)).toEqual([
      'FlashSaleOutboxBacklogGrowing',
      'FlashSaleDeadLetters',
      'FlashSalePersistLagHigh',
      'FlashSaleApiErrors',
      'FlashSaleOperatorDegraded',
      'FlashSaleOperatorNoLeader',
    ]);
    for (const r of rules) {
      const answer = await query(r.expr);
      expect(answer.status)
        .withContext(`${r.alert}: ${answer.error ?? ''}`)
        .toBe('success');
    }
  });
});
