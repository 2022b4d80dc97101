import { operatorRbac, type PolicyRule } from '@flashsale/operator';
import { versions } from '@flashsale/stack';
import { chartPath, kubeVersion, mustRun } from './deploy-tools.ts';
import {
  build,
  containersOf,
  fileObjects,
  find,
  idOf,
  objectsOf,
  type KubeObject,
} from './manifests-tools.ts';

/** What the chart renders with the release name flash-sale, CRD included. */
async function chartObjects(): Promise<KubeObject[]> {
  const rendered = await mustRun('helm', [
    'template',
    'flash-sale',
    chartPath,
    '--include-crds',
    '--namespace',
    'flashsale-dev',
    '--kube-version',
    kubeVersion,
  ]);
  return objectsOf(rendered);
}

const wire = (rules: readonly PolicyRule[]) =>
  rules.map(({ apiGroups, resources, verbs }) => ({ apiGroups, resources, verbs }));

const rulesOf = (object: KubeObject) => object['rules'];

function envOf(object: KubeObject, name: string): Record<string, string | undefined> {
  const container = containersOf(object).find((candidate) => candidate.name === name);
  if (!container) throw new Error(`${idOf(object)} has no container ${name}`);
  return Object.fromEntries((container.env ?? []).map((entry) => [entry.name, entry.value]));
}

describe('manifests: the platform base deploys what the chart deploys, without Helm', () => {
  it('has exactly the objects and names of `helm template flash-sale` (but its test Pod and hook Secret)', async () => {
    const [platform, chart] = await Promise.all([build('platform'), chartObjects()]);
    // The migrate hook's own Secret exists only because hooks run before the release's
    // Secrets; the platform base's migrate Job reads flash-sale-connections instead.
    const chartIds = chart
      .filter((object) => object.kind !== 'Pod')
      .filter(
        (object) => !(object.kind === 'Secret' && object.metadata.name === 'flash-sale-migrate'),
      )
      .map(idOf);
    expect(platform.map(idOf).sort()).toEqual(chartIds.sort());
    const namespaces = new Set(platform.flatMap((object) => object.metadata.namespace ?? []));
    expect([...namespaces]).toEqual(['flashsale-dev']);
  });

  it('tells the operator the name of the fleet it deploys, in the namespace it may scale', async () => {
    const platform = await build('platform');
    const env = envOf(find(platform, 'Deployment', 'flash-sale-operator'), 'operator');
    // Unset: the fleet is in the operator's own namespace, where the capacity Role is.
    expect(env['FLEET_NAMESPACE']).toBeUndefined();
    const hpa = find(platform, 'HorizontalPodAutoscaler', env['FLEET_HPA'] ?? '(unset)');
    const deployment = find(platform, 'Deployment', env['FLEET_DEPLOYMENT'] ?? '(unset)');
    expect(hpa['spec']).toEqual(
      jasmine.objectContaining({
        scaleTargetRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: deployment.metadata.name,
        },
      }),
    );
    const operator = find(platform, 'Deployment', 'flash-sale-operator');
    const capacity = find(platform, 'Role', 'flash-sale-operator-capacity');
    expect([hpa, deployment, capacity].map((object) => object.metadata.namespace)).toEqual(
      Array(3).fill(operator.metadata.namespace),
    );
  });

  it('grants the operator the rules of operator/src/rbac.ts, as the chart does', async () => {
    const [rbac, chart] = await Promise.all([build('rbac'), chartObjects()]);
    expect(rbac.filter((object) => object.kind === 'Namespace')).toEqual([]);
    const expected: [string, string, readonly PolicyRule[]][] = [
      ['ClusterRole', 'flash-sale-operator', operatorRbac.sales],
      ['Role', 'flash-sale-operator-leader-election', operatorRbac.leaderElection],
      ['Role', 'flash-sale-operator-capacity', operatorRbac.capacity],
    ];
    for (const [kind, name, rules] of expected) {
      expect(rulesOf(find(rbac, kind, name)))
        .withContext(`manifests/rbac ${kind}/${name}`)
        .toEqual(wire(rules));
      expect(rulesOf(find(chart, kind, name)))
        .withContext(`chart ${kind}/${name}`)
        .toEqual(wire(rules));
    }
  });
});

describe('manifests: versions agree with the stack', () => {
  it('runs k6 at the version the stack installs, in the Job and the TestRun', async () => {
    const job = find(await build('k6'), 'Job', 'flashsale-k6-contention');
    expect(containersOf(job).map((container) => container.image)).toEqual([
      `grafana/k6:${versions.k6}`,
    ]);
    const [testRun] = await fileObjects('manifests/k6/testrun.yaml');
    const runner = (testRun?.['spec'] as { runner?: { image?: string } } | undefined)?.runner;
    expect(runner?.image).toBe(`grafana/k6:${versions.k6}`);
  });

  it('runs the development Kafka at the version the stack runs', async () => {
    const kafka = await fileObjects('manifests/dev/kafka.yaml');
    const images = kafka.flatMap((object) => containersOf(object).map((c) => c.image));
    expect(images).toEqual([`apache/kafka:${versions.kafka}`, `apache/kafka:${versions.kafka}`]);
    const built = (await build('dev')).flatMap((object) => containersOf(object));
    expect(built.filter((c) => c.image.startsWith('apache/kafka:')).map((c) => c.image)).toEqual(
      images,
    );
  });
});
