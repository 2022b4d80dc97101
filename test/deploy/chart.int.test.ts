import { parseAllDocuments } from 'yaml';
import { versions } from '@flashsale/stack';
import { chartPath, ciScenarios, kubeVersion, renderScenario, runTool } from './deploy-tools.ts';

interface Rendered {
  readonly kind: string;
  readonly metadata: { name: string; labels?: Record<string, string> };
}

function objectsOf(yamlText: string): Rendered[] {
  return parseAllDocuments(yamlText)
    .map((document) => document.toJS() as Rendered | null)
    .filter((object): object is Rendered => object !== null);
}

const recommendedLabels = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/part-of',
  'helm.sh/chart',
];

describe('deploy: the flash-sale Helm chart', () => {
  it('is rendered by a helm that reports its release and a current Kubernetes', async () => {
    const version = await runTool('helm', ['version', '--template', '{{.Version}}']);
    expect(version.stdout).toBe(`v${versions.helm}`);
    // No --kube-version: helm's default must satisfy the chart's kubeVersion (>=1.28).
    const plain = await runTool('helm', ['template', chartPath]);
    expect(plain.exitCode).withContext(plain.stderr).toBe(0);
  });

  it('passes helm lint --strict with its defaults and with every ci/*-values.yaml', async () => {
    const runs = await Promise.all([
      runTool('helm', ['lint', '--strict', chartPath]),
      ...ciScenarios.map((scenario) =>
        runTool('helm', [
          'lint',
          '--strict',
          chartPath,
          '--values',
          `${chartPath}/ci/${scenario}-values.yaml`,
        ]),
      ),
    ]);
    for (const run of runs)
      expect(run.exitCode)
        .withContext(run.stdout + run.stderr)
        .toBe(0);
  });

  it('renders every ci scenario with the recommended labels on every object', async () => {
    const kinds: Record<string, string[]> = {};
    for (const scenario of ciScenarios) {
      const objects = objectsOf(await renderScenario(scenario, 'flashsale-ci'));
      kinds[scenario] = [...new Set(objects.map((object) => object.kind))].sort();
      const unlabelled = objects
        .filter((object) => object.kind !== 'FlashSale')
        .filter((object) => recommendedLabels.some((label) => !object.metadata.labels?.[label]))
        .map((object) => `${object.kind}/${object.metadata.name}`);
      expect(unlabelled).withContext(scenario).toEqual([]);
    }
    expect(kinds['minimal']).toEqual(['Deployment', 'Pod', 'Secret', 'Service']);
    expect(kinds['production']).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'NetworkPolicy',
      'Pod',
      'PodDisruptionBudget',
      'PodMonitor',
      'PrometheusRule',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
  });

  it('rejects a misspelled value through its schema', async () => {
    const result = await runTool('helm', [
      'template',
      'typo',
      chartPath,
      '--kube-version',
      kubeVersion,
      '--set',
      'api.replica=3',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "values don't meet the specifications of the schema(s) in the following chart(s):\nflash-sale:\n- at '/api': additional properties 'replica' not allowed",
    );
  });

  it('refuses a grace period that would cut the API drain short', async () => {
    const result = await runTool('helm', [
      'template',
      'grace',
      chartPath,
      '--kube-version',
      kubeVersion,
      '--set',
      'api.terminationGracePeriodSeconds=20',
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'api.terminationGracePeriodSeconds (20) must exceed api.shutdown.timeoutMs (25000 ms) by at least 1 s, or Kubernetes kills the API mid-drain',
    );
  });
});
