import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';
import { parseAllDocuments } from 'yaml';
import {
  projectRoot,
  registerScrapeTarget,
  toolBin,
  unregisterScrapeTarget,
} from '@flashsale/stack';
import {
  runContention,
  runSustained,
  type LoadTarget,
  deleteKeysUnderPrefix,
} from '@flashsale/tools';
import { backgroundRedis, type RedisClient } from '@flashsale/runtime';
import { SaleStore } from '@flashsale/platform';
import {
  eventually,
  isolatedNames,
  IsolatedPlatform,
  freePort,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';
import { mustRun, renderScenario } from './deploy-tools.ts';
import {
  combinationsOf,
  dashboardNames,
  expectedUnit,
  interpolate,
  queriesOf,
  readDashboard,
  unitsOf,
  variablesIn,
  type Combination,
  type Dashboard,
} from './grafana-queries.ts';

interface Series {
  readonly metric: Record<string, string>;
  /** Instant queries. */
  readonly value: [number, string];
  /** Range queries. */
  readonly values?: [number, string][];
}

interface QueryAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: { result: Series[] };
}

interface Rendered {
  readonly kind?: string;
  readonly metadata?: { name: string };
  readonly spec?: {
    groups?: { rules: Rule[] }[];
    selector?: { matchLabels?: Record<string, string> };
  };
  readonly data?: Record<string, string>;
}

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly annotations: Record<string, string>;
}

function objectsOf(yamlText: string): Rendered[] {
  return parseAllDocuments(yamlText)
    .map((document) => document.toJS() as Rendered | null)
    .filter((object): object is Rendered => object !== null);
}

function rulesOf(objects: readonly Rendered[]): Rule[] {
  const rule = objects.find((object) => object.kind === 'PrometheusRule');
  return rule?.spec?.groups?.flatMap((group) => group.rules) ?? [];
}

/** The job labels the Prometheus Operator gives the release's targets. */
function jobsOf(objects: readonly Rendered[], namespace: string): { api: string; workers: string } {
  const named = (kind: string): string => {
    const name = objects.find((object) => object.kind === kind)?.metadata?.name;
    if (!name) throw new Error(`the production scenario renders no ${kind}`);
    return name;
  };
  // A ServiceMonitor's job is the name of the Service it selects, a PodMonitor's <namespace>/<name>.
  return { api: named('ServiceMonitor'), workers: `${namespace}/${named('PodMonitor')}` };
}

const alertNames = [
  'FlashSaleOutboxBacklogGrowing',
  'FlashSaleDeadLetters',
  'FlashSalePersistLagHigh',
  'FlashSaleApiErrors',
  'FlashSaleApiDown',
  'FlashSaleOperatorDegraded',
  'FlashSaleOperatorNoLeader',
];

describe('deploy: Grafana dashboards and alerts as shipped', () => {
  it('give every panel the unit its query measures', async () => {
    const wrong: string[] = [];
    for (const name of dashboardNames) {
      for (const panel of (await readDashboard(name)).panels) {
        const kinds = [...new Set(panel.targets.map((target) => expectedUnit(target.expr)))];
        const unit = panel.fieldConfig.defaults.unit ?? '(none)';
        if (kinds.length !== 1 || !unitsOf[kinds[0]!]!.includes(unit))
          wrong.push(`${name} / ${panel.title}: ${unit}, measures ${kinds.join(' and ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('offer $datasource, $cluster, $namespace, $job and $sale, $cluster shown only for several clusters', async () => {
    const hideOfCluster = async (extra: string[]): Promise<number[]> => {
      const rendered = await renderScenario('production', 'flashsale-ci', extra);
      return objectsOf(rendered)
        .filter((object) => object.kind === 'ConfigMap' && object.data)
        .flatMap((object) => Object.values(object.data!))
        .map((text) => JSON.parse(text) as Dashboard)
        .map(
          (dashboard) => dashboard.templating.list.find((v) => v.name === 'cluster')?.hide ?? -1,
        );
    };
    for (const name of dashboardNames) {
      const dashboard = await readDashboard(name);
      expect(dashboard.templating.list.map((variable) => variable.name).slice(0, 5))
        .withContext(name)
        .toEqual(['datasource', 'cluster', 'namespace', 'job', 'sale']);
      const stats = dashboard.panels.filter((panel) => panel.type === 'stat');
      expect(stats.length).withContext(name).toBeGreaterThan(0);
      expect(
        dashboard.annotations.list
          .filter((annotation) => annotation.useValueForTime === true)
          .map((a) => a.name),
      )
        .withContext(name)
        .toEqual(['Sale start', 'Sale end']);
    }
    const overview = await readDashboard('overview');
    expect(
      overview.panels.filter((panel) => panel.type === 'stat').map((panel) => panel.title),
    ).toEqual(['Remaining stock', 'Confirmed units', 'Operator leader', 'Error ratio']);
    // hide 2: not shown (one cluster, series without a cluster label); hide 0: a drop-down.
    expect(await hideOfCluster([])).toEqual([2, 2]);
    expect(await hideOfCluster(['--set', 'monitoring.dashboards.multiCluster=true'])).toEqual([
      0, 0,
    ]);
  });

  it('point every alert at its section of docs/runbooks.md', async () => {
    const runbooks = await readFile(join(projectRoot, 'docs', 'runbooks.md'), 'utf8');
    const anchors = [...runbooks.matchAll(/^## (\S+)$/gm)].map((match) => match[1]!.toLowerCase());
    const defaults = rulesOf(objectsOf(await renderScenario('production', 'flashsale-ci')));
    expect(defaults.map((rule) => rule.alert)).toEqual(alertNames);
    for (const rule of defaults) {
      expect(rule.annotations['runbook_url'])
        .withContext(rule.alert)
        .toBe(
          `https://github.com/flashsale/flash-sale-platform/blob/main/docs/runbooks.md#${rule.alert.toLowerCase()}`,
        );
      expect(anchors)
        .withContext(`docs/runbooks.md has a "## ${rule.alert}" section`)
        .toContain(rule.alert.toLowerCase());
    }
    const hosted = rulesOf(
      objectsOf(
        await renderScenario('production', 'flashsale-ci', [
          '--set',
          'monitoring.prometheusRule.runbookBaseUrl=https://docs.example.com/flash-sale/runbooks/',
        ]),
      ),
    );
    expect(hosted.map((rule) => rule.annotations['runbook_url'])).toEqual(
      alertNames.map(
        (name) => `https://docs.example.com/flash-sale/runbooks#${name.toLowerCase()}`,
      ),
    );
  });

  it('leave the operator alerts out of a release without an operator (absent() would fire forever)', async () => {
    const rendered = await renderScenario('production', 'flashsale-ci', [
      '--set',
      'operator.enabled=false',
    ]);
    expect(rulesOf(objectsOf(rendered)).map((rule) => rule.alert)).toEqual(
      alertNames.filter((name) => !name.startsWith('FlashSaleOperator')),
    );
  });

  it('scope every alert selector to the release namespace and its jobs', async () => {
    const objects = objectsOf(await renderScenario('production', 'flashsale-ci'));
    const jobs = jobsOf(objects, 'flashsale-ci');
    const unscoped: string[] = [];
    for (const rule of rulesOf(objects)) {
      for (const [selector, matchers] of rule.expr.matchAll(/[a-z_:]*\{([^}]*)\}/g)) {
        const scoped =
          matchers!.includes('namespace="flashsale-ci"') &&
          (matchers!.includes(`job=~"${jobs.api}"`) ||
            matchers!.includes(`job=~"${jobs.workers}"`));
        if (!scoped) unscoped.push(`${rule.alert}: ${selector}`);
      }
    }
    expect(unscoped).toEqual([]);
  });
});

describe('deploy: Grafana dashboards and alerts on real metrics', () => {
  const names = isolatedNames('dashboards');
  // The label a ServiceMonitor/PodMonitor adds; the local targets get it too.
  const namespace = names.namespace;
  // A namespace where only someone else's jobs export the same metrics.
  const bareNamespace = `${namespace}-bare`;
  const targets: string[] = [];
  let platform: IsolatedPlatform;
  let prometheusUrl: string;
  let kubeconfig: string;
  let operator: ChildProcess | undefined;
  let redis: RedisClient;
  let database: Sequelize;
  let apiUrl: string;
  let jobs: { api: string; workers: string };

  async function query(promql: string): Promise<QueryAnswer> {
    const response = await fetch(
      `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    return (await response.json()) as QueryAnswer;
  }

  /** A time-series panel's query as Grafana sends it: the last 10 minutes, a point every 15 s. */
  async function queryRange(promql: string): Promise<QueryAnswer> {
    const end = Date.now() / 1000;
    const params = new URLSearchParams({
      query: promql,
      start: String(end - 600),
      end: String(end),
      step: '15',
    });
    const response = await fetch(`${prometheusUrl}/api/v1/query_range?${params.toString()}`);
    return (await response.json()) as QueryAnswer;
  }

  const prometheus = {
    async labelValues(label: string, selector: string): Promise<string[]> {
      const now = Date.now() / 1000;
      const params = new URLSearchParams({
        'match[]': selector,
        start: String(now - 30 * 60),
        end: String(now),
      });
      const response = await fetch(
        `${prometheusUrl}/api/v1/label/${label}/values?${params.toString()}`,
      );
      const answer = (await response.json()) as { status: string; data?: string[]; error?: string };
      if (answer.status !== 'success')
        throw new Error(`label_values(${selector}, ${label}): ${answer.error}`);
      return answer.data ?? [];
    },
  };

  async function scrape(name: string, url: string, labels: Record<string, string>): Promise<void> {
    targets.push(`${names.id}-${name}`);
    await registerScrapeTarget(`${names.id}-${name}`, new URL(url).host, labels);
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
    jobs = jobsOf(objectsOf(await renderScenario('production', namespace)), namespace);
    const release = { namespace, job: jobs.workers };
    platform = new IsolatedPlatform(names, stack);
    await platform.prepare();
    await scrape('persister', await platform.start('persister'), release);
    await scrape('relay', await platform.start('relay'), release);
    apiUrl = await platform.start('api');
    await scrape('api', apiUrl, { namespace, job: jobs.api });
    // The FlashSale CRD, as cluster.int.test.ts applies it (a fresh stack has none).
    await mustRun(
      'kubectl',
      [
        'apply',
        '--server-side',
        '--field-manager=flashsale-tests',
        '--force-conflicts',
        '-k',
        'manifests/crds',
      ],
      { kubeconfig },
    );
    await mustRun(
      'kubectl',
      ['wait', '--for=condition=Established', '--timeout=30s', 'crd/flashsales.flashsale.io'],
      { kubeconfig },
    );
    await mustRun('kubectl', ['create', 'namespace', namespace], { kubeconfig });
    const operatorUrl = await startOperator();
    await scrape('operator', operatorUrl, release);
    // The same processes, scraped under other jobs in another namespace: what the release's
    // alerts must not count as their own.
    await scrape('foreign-api', apiUrl, { namespace: bareNamespace, job: 'someone-else-api' });
    await scrape('foreign-operator', operatorUrl, {
      namespace: bareNamespace,
      job: 'someone-else',
    });
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

  async function scalar(promql: string): Promise<number> {
    const answer = await query(promql);
    return Number(answer.data?.result[0]?.value[1]);
  }

  async function loadAndWait(): Promise<string> {
    const remoteWrite = { remoteWriteUrl: `${prometheusUrl}/api/v1/write`, testId: names.id };
    const target: LoadTarget = {
      k6: toolBin('k6'),
      scriptDir: join(projectRoot, 'tools', 'load'),
      apiUrls: [apiUrl],
      jwtSecret: platform.secret,
      redis,
      database,
      output: 'capture',
      // The k6 panels of the overview show this run.
      prometheus: remoteWrite,
    };
    const outcome = await runContention(target, { users: 300, stock: 200, vus: 20 });
    expect(outcome.verification.persisted).toBe(200);
    // A few seconds of steady load as well, so k6's counters get several points (a rate).
    const steady = await runSustained(
      { ...target, prometheus: { ...remoteWrite, testId: `${names.id}-steady` } },
      { rate: 20, durationSeconds: 4 },
    );
    expect(steady.problems).withContext(steady.k6.output).toEqual([]);
    // Two scrapes after the last row was persisted.
    await eventually(
      'Prometheus to see every persisted row',
      async () =>
        (await scalar(`sum(flashsale_events_persisted_total{namespace="${namespace}"})`)) >= 200
          ? true
          : undefined,
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
    return outcome.sale;
  }

  interface Answered {
    readonly combination: Combination;
    readonly what: string;
    readonly expr: string;
    readonly answer: QueryAnswer;
  }

  async function answerAll(dashboard: Dashboard): Promise<Answered[]> {
    const answered: Answered[] = [];
    for (const combination of await combinationsOf(dashboard, prometheus, namespace)) {
      for (const { what, expr, instant } of queriesOf(dashboard)) {
        const promql = interpolate(expr, combination.values);
        const answer = instant ? await query(promql) : await queryRange(promql);
        answered.push({ combination, what, expr, answer });
      }
    }
    return answered;
  }

  /** Queries that subtract one job's metric from another's: no single job has both. */
  const acrossJobs = new Set(['flash-sale-overview / Kafka → PostgreSQL backlog growth / A']);

  /** A query that finds nothing where a user picks each value of a variable it uses. */
  function emptyForEveryValue(answered: readonly Answered[]): string[] {
    const missing: string[] = [];
    for (const what of new Set(answered.map((a) => a.what))) {
      const mine = answered.filter((a) => a.what === what);
      const used = variablesIn(mine[0]!.expr).filter(
        (name) => name !== 'datasource' && !(name === 'job' && acrossJobs.has(what)),
      );
      for (const variable of used) {
        const picked = mine.filter((a) => a.combination.chosen[variable] !== undefined);
        if (!picked.some((a) => a.answer.data?.result.length))
          missing.push(`${what} with one $${variable}`);
      }
    }
    return missing;
  }

  function valueOf(
    answered: readonly Answered[],
    what: string,
    chosen: Record<string, string>,
  ): number {
    const match = answered.find(
      (a) =>
        a.what === what &&
        Object.entries(chosen).every(([name, value]) => a.combination.chosen[name] === value),
    );
    if (!match) throw new Error(`no combination ${JSON.stringify(chosen)} for ${what}`);
    const series = match.answer.data?.result[0];
    // The instant value, or the latest point of a range.
    return Number((series?.values?.at(-1) ?? series?.value)?.[1]);
  }

  it('answers every panel and annotation query of every dashboard, for every variable combination, after a short real load', async () => {
    const loadSale = await loadAndWait();
    const overview = await answerAll(await readDashboard('overview'));
    const operatorBoard = await answerAll(await readDashboard('operator'));
    const answered = [...overview, ...operatorBoard];

    const failed = answered.filter((a) => a.answer.status !== 'success');
    expect(failed.map((a) => `${a.what}: ${a.answer.error}`)).toEqual([]);
    // Everything set to All (in the spec's namespace, and in every namespace): every query has data.
    const allEmpty = answered
      .filter((a) =>
        Object.entries(a.combination.chosen).every(
          ([name, value]) => name === 'namespace' || name === 'cluster' || value === undefined,
        ),
      )
      .filter((a) => !a.answer.data?.result.length)
      .map((a) => `${a.what} (namespace ${a.combination.chosen['namespace'] ?? 'All'})`);
    expect(allEmpty).toEqual([]);
    expect(emptyForEveryValue(answered)).toEqual([]);
    expect(new Set(answered.map((a) => a.what)).size).toBe(34);
    // $cluster: this Prometheus has no cluster label; the empty value matches its series.
    expect(new Set(answered.map((a) => a.combination.values['cluster']))).toEqual(new Set(['']));

    // The figures a user reads, for the sale the load ran against.
    const sale = await new SaleStore(redis).read(loadSale);
    const thisSale = { namespace, job: jobs.api, sale: loadSale };
    expect(valueOf(overview, 'flash-sale-overview / Confirmed units (stat) / A', thisSale)).toBe(
      200,
    );
    expect(valueOf(overview, 'flash-sale-overview / Remaining stock (stat) / A', thisSale)).toBe(0);
    // Annotations take their time from the value: the sale's start and end, in milliseconds.
    const at = (what: string): number => Math.round(valueOf(overview, what, thisSale));
    expect(at('flash-sale-overview / annotation Sale start')).toBe(Date.parse(sale!.startsAt));
    expect(at('flash-sale-overview / annotation Sale end')).toBe(Date.parse(sale!.endsAt));
    expect(
      valueOf(operatorBoard, 'flash-sale-operator / Leader (stat) / A', {
        namespace,
        job: jobs.workers,
      }),
    ).toBe(1);
  }, 180_000);

  it('has alert expressions Prometheus accepts, silent while the release is healthy', async () => {
    const rules = rulesOf(objectsOf(await renderScenario('production', namespace)));
    expect(rules.map((r) => r.alert)).toEqual(alertNames);
    for (const r of rules) {
      const answer = await query(r.expr);
      expect(answer.status)
        .withContext(`${r.alert}: ${answer.error ?? ''}`)
        .toBe('success');
    }
    const noLeader = rules.find((r) => r.alert === 'FlashSaleOperatorNoLeader')!;
    const apiDown = rules.find((r) => r.alert === 'FlashSaleApiDown')!;
    // The release's operator leads and its API answers.
    await eventually('the release targets to be scraped', async () => {
      const api = await query(`up{namespace="${namespace}",job="${jobs.api}"} == 1`);
      const leader = await query(
        `flashsale_operator_leader{namespace="${namespace}",job="${jobs.workers}"} == 1`,
      );
      return api.data?.result.length && leader.data?.result.length ? true : undefined;
    });
    expect((await query(noLeader.expr)).data?.result).toEqual([]);
    expect((await query(apiDown.expr)).data?.result).toEqual([]);
  });

  it('fires "no operator leader" and "API down" when the release has no such target, whatever other jobs export', async () => {
    // Only someone-else jobs are scraped in bareNamespace: a leader and HTTP answers there.
    await fetch(`${apiUrl}/api/sales`);
    await eventually('the foreign targets to be scraped', async () => {
      const leader = await query(`flashsale_operator_leader{namespace="${bareNamespace}"} == 1`);
      const http = await query(`http_request_duration_seconds_count{namespace="${bareNamespace}"}`);
      return leader.data?.result.length && http.data?.result.length ? true : undefined;
    });
    const rules = rulesOf(objectsOf(await renderScenario('production', bareNamespace)));
    const firing = async (alert: string): Promise<Series[]> =>
      (await query(rules.find((r) => r.alert === alert)!.expr)).data?.result ?? [];
    expect((await firing('FlashSaleOperatorNoLeader')).map((s) => s.metric)).toEqual([
      { namespace: bareNamespace },
    ]);
    expect((await firing('FlashSaleApiDown')).length).toBe(1);
    // The error ratio counts the release's API answers only: someone else's HTTP answers in
    // the same namespace are not its own.
    const httpSelector = (rule: Rule): string =>
      /http_request_duration_seconds_count\{[^}]*\}/
        .exec(rule.expr)![0]
        .replace(',status_code=~"5.."', '');
    const bare = httpSelector(rules.find((r) => r.alert === 'FlashSaleApiErrors')!);
    expect((await query(bare)).data?.result).toEqual([]);
    expect(
      (await query(`http_request_duration_seconds_count{namespace="${bareNamespace}"}`)).data
        ?.result.length,
    )
      .withContext('someone else exports HTTP metrics there')
      .toBeGreaterThan(0);
    const release = rulesOf(objectsOf(await renderScenario('production', namespace)));
    const own = httpSelector(release.find((r) => r.alert === 'FlashSaleApiErrors')!);
    expect((await query(own)).data?.result.length).toBeGreaterThan(0);
  });
});
