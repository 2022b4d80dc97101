import { isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';
import { mustRun, runTool } from './deploy-tools.ts';
import { build, manifestFolders } from './manifests-tools.ts';

/** The namespaces the bases set (`namespace:` in their kustomization). */
const baseNamespaces = ['flashsale-system', 'flashsale-dev'];

// The k6-operator's TestRun, which manifests/k6/testrun.yaml uses: just enough CRD for the
// bare kube-apiserver to accept it in a dry run.
const testRunCrd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: testruns.k6.io}
spec:
  group: k6.io
  scope: Namespaced
  names: {kind: TestRun, plural: testruns, singular: testrun}
  versions:
    - name: v1alpha1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

describe('manifests: every folder is a kustomize base the real kube-apiserver accepts', () => {
  const samplesNamespace = isolatedNames('manifests').namespace;
  let kubeconfig: string;
  const kubectl = (args: readonly string[], input?: string) =>
    mustRun('kubectl', args, input === undefined ? { kubeconfig } : { kubeconfig, input });
  const apply = (args: readonly string[], input?: string) =>
    kubectl(
      ['apply', '--server-side', '--force-conflicts', '--field-manager=flashsale-tests', ...args],
      input,
    );
  // Forced: the cluster-scoped objects (CRD, ClusterRole, ClusterRoleBinding) are shared by
  // the rbac and platform bases, whose binding names another namespace.
  const dryRun = (args: readonly string[]) =>
    kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '--dry-run=server',
      '--field-manager=flashsale-manifests-tests',
      ...args,
    ]);

  beforeAll(async () => {
    kubeconfig = (await useStack()).KUBECONFIG;
    // Cluster-wide and shared by every run: applied idempotently, never deleted. A dry run
    // creates nothing, so what the bases' objects need first is there for real.
    await apply(['-f', '-'], testRunCrd);
    await apply(['-k', 'manifests/crds']);
    await kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=30s',
      'crd/testruns.k6.io',
      'crd/flashsales.flashsale.io',
    ]);
    for (const namespace of baseNamespaces) {
      const manifest = await kubectl([
        'create',
        'namespace',
        namespace,
        '--dry-run=client',
        '-o=yaml',
      ]);
      await apply(['-f', '-'], manifest);
    }
    await kubectl(['create', 'namespace', samplesNamespace]);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    // No namespace controller runs here: the namespace stays Terminating, which is harmless.
    await runTool('kubectl', ['delete', 'namespace', samplesNamespace, '--wait=false'], {
      kubeconfig,
    });
  }, 60_000);

  it('has a kustomization in every folder that kubectl kustomize builds', async () => {
    const folders = await manifestFolders();
    expect(folders).toEqual(['crds', 'dev', 'k6', 'operator', 'platform', 'rbac', 'samples']);
    for (const folder of folders) {
      expect((await build(folder)).length)
        .withContext(`kubectl kustomize manifests/${folder}`)
        .toBeGreaterThan(0);
    }
  });

  it('accepts each base in a server-side dry run', async () => {
    const results: Record<string, string> = {};
    for (const folder of await manifestFolders()) {
      // Samples carry no namespace on purpose: they go where the user says.
      const where = folder === 'samples' ? ['-n', samplesNamespace] : [];
      results[folder] = await dryRun([...where, '-k', `manifests/${folder}`]);
    }
    results['k6/testrun.yaml'] = await dryRun(['-f', 'manifests/k6/testrun.yaml']);
    for (const [base, out] of Object.entries(results)) {
      const lines = out.trim().split('\n');
      expect(lines.every((line) => line.endsWith('serverside-applied (server dry run)')))
        .withContext(`${base}:\n${out}`)
        .toBeTrue();
    }
    expect(results['platform']).toContain(
      'deployment.apps/flash-sale-operator serverside-applied (server dry run)',
    );
    expect(results['platform']).toContain(
      'horizontalpodautoscaler.autoscaling/flash-sale-api serverside-applied (server dry run)',
    );
  });

  it('deletes the RBAC base without deleting its namespace', async () => {
    await apply(['-k', 'manifests/rbac']);
    const deleted = await kubectl(['delete', '-k', 'manifests/rbac', '--wait=false']);
    expect(deleted).not.toContain('namespace/');
    expect(deleted).toContain(
      'clusterrole.rbac.authorization.k8s.io "flash-sale-operator" deleted',
    );
    const namespace = await kubectl(['get', 'namespace', 'flashsale-system', '-o=name']);
    expect(namespace.trim()).toBe('namespace/flashsale-system');
    const phase = await kubectl([
      'get',
      'namespace',
      'flashsale-system',
      '-o=jsonpath={.status.phase}',
    ]);
    expect(phase).toBe('Active');
    // Not put back: its cluster-wide objects carry the chart's names and would stop a
    // `helm install flash-sale` on the same API server (the rbac: specs apply their own).
  });
});
