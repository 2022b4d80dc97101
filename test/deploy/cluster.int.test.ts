import { isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';
import { chartPath, ciScenarios, mustRun, renderScenario, runTool } from './deploy-tools.ts';

/** Kinds the bare kube-apiserver lacks: just enough CRD for dry-run to accept their objects. */
const foreignKinds = [
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
  },
  { group: 'monitoring.coreos.com', version: 'v1', kind: 'PodMonitor', plural: 'podmonitors' },
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kind: 'PrometheusRule',
    plural: 'prometheusrules',
  },
  { group: 'k6.io', version: 'v1alpha1', kind: 'TestRun', plural: 'testruns' },
];

function minimalCrd(kind: (typeof foreignKinds)[number]): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${kind.plural}.${kind.group}}
spec:
  group: ${kind.group}
  scope: Namespaced
  names: {kind: ${kind.kind}, plural: ${kind.plural}, singular: ${kind.kind.toLowerCase()}}
  versions:
    - name: ${kind.version}
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
}

describe('deploy: the chart and manifests on the real kube-apiserver', () => {
  const names = isolatedNames('deploy');
  const namespace = names.namespace;
  const release = 'fs-it';
  let kubeconfig: string;
  const kubectl = (args: readonly string[], input?: string) =>
    mustRun('kubectl', args, input === undefined ? { kubeconfig } : { kubeconfig, input });
  const dryRun = (args: readonly string[], input?: string) =>
    kubectl(
      [
        'apply',
        '--server-side',
        '--dry-run=server',
        '--field-manager=flashsale-deploy-tests',
        ...args,
      ],
      input,
    );

  beforeAll(async () => {
    kubeconfig = (await useStack()).KUBECONFIG;
    // Cluster-wide and shared by every run: applied idempotently, never deleted.
    await kubectl(
      [
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager=flashsale-deploy-tests',
        '-f',
        '-',
      ],
      foreignKinds.map(minimalCrd).join('---\n'),
    );
    await kubectl([
      'apply',
      '--server-side',
      '--field-manager=flashsale-tests',
      '--force-conflicts',
      '-k',
      'manifests/crds',
    ]);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=30s',
      'crd',
      ...foreignKinds.map((k) => `${k.plural}.${k.group}`),
    ]);
    await kubectl(['create', 'namespace', namespace]);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await runTool('helm', ['uninstall', release, '-n', namespace], { kubeconfig });
    // No namespace controller runs here: the namespace stays Terminating, which is harmless.
    await runTool('kubectl', ['delete', 'namespace', namespace, '--wait=false'], { kubeconfig });
  }, 60_000);

  it('accepts every rendered ci scenario in a server-side dry run', async () => {
    for (const scenario of ciScenarios) {
      const rendered = await renderScenario(scenario, namespace);
      const out = await dryRun(['-n', namespace, '-f', '-'], rendered);
      expect(out).withContext(scenario).toContain('(server dry run)');
    }
  });

  it('installs with samples, lists the sample sale, grants the operator exactly what it needs, and uninstalls', async () => {
    await mustRun(
      'helm',
      ['install', release, chartPath, '-n', namespace, '--set', 'samples.enabled=true'],
      { kubeconfig },
    );
    const sales = await kubectl(['get', 'fs', '-n', namespace, '-o', 'name']);
    expect(sales.trim().split('\n')).toEqual(['flashsale.flashsale.io/summer-sneaker-drop']);
    const deployments = await kubectl(['get', 'deployments', '-n', namespace, '-o', 'name']);
    expect(deployments.trim().split('\n').sort()).toEqual(
      ['api', 'operator', 'persister', 'relay', 'web'].map(
        (c) => `deployment.apps/${release}-flash-sale-${c}`,
      ),
    );

    const account = `system:serviceaccount:${namespace}:${release}-flash-sale-operator`;
    const canI = async (args: string): Promise<boolean> => {
      const result = await runTool(
        'kubectl',
        ['auth', 'can-i', `--as=${account}`, ...args.split(' ')],
        { kubeconfig },
      );
      if (result.exitCode > 1) throw new Error(`can-i ${args}: ${result.stderr}`);
      return result.exitCode === 0;
    };
    const allowed = [
      'watch flashsales.flashsale.io --all-namespaces',
      'patch flashsales.flashsale.io -n elsewhere',
      'update flashsales.flashsale.io/status -n elsewhere',
      'update flashsales.flashsale.io/finalizers -n elsewhere',
      'create events -n elsewhere',
      'create events.events.k8s.io -n elsewhere',
      `create leases.coordination.k8s.io -n ${namespace}`,
      `update leases.coordination.k8s.io -n ${namespace}`,
      `patch horizontalpodautoscalers.autoscaling -n ${namespace}`,
      `patch deployments.apps -n ${namespace}`,
    ];
    const denied = [
      'create flashsales.flashsale.io -n elsewhere',
      'delete flashsales.flashsale.io -n elsewhere',
      'list secrets -n elsewhere',
      `get secrets -n ${namespace}`,
      'create leases.coordination.k8s.io -n elsewhere',
      'patch deployments.apps -n elsewhere',
      `delete deployments.apps -n ${namespace}`,
      `create horizontalpodautoscalers.autoscaling -n ${namespace}`,
      'create pods -n elsewhere',
    ];
    const wrong = async (questions: string[], expected: boolean) =>
      (
        await Promise.all(questions.map(async (q) => ((await canI(q)) === expected ? '' : q)))
      ).filter(Boolean);
    expect(await wrong(allowed, true))
      .withContext('should be allowed')
      .toEqual([]);
    expect(await wrong(denied, false))
      .withContext('should be denied')
      .toEqual([]);

    await mustRun('helm', ['uninstall', release, '-n', namespace], { kubeconfig });
    const left = await kubectl([
      'get',
      'deployments,services,secrets,fs',
      '-n',
      namespace,
      '-o',
      'name',
    ]);
    expect(left.trim()).toBe('');
  }, 60_000);
});
