import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { projectRoot } from '@flashsale/stack';
import { isolatedNames } from '@flashsale/testkit';
import { chartPath, mustRun, runTool } from './deploy-tools.ts';
import { ApiServer, find, render, stackStartTimeoutMs } from './chart-testing.ts';

const operatorRole = 'fs-flash-sale-operator';

async function templateSource(name: string): Promise<string> {
  return readFile(join(projectRoot, chartPath, 'templates', name), 'utf8');
}

describe('deploy: chart operator RBAC', () => {
  const apiserver = new ApiServer();
  const watched = isolatedNames('watched').namespace;
  const releaseName = 'fs-rbac';

  beforeAll(async () => {
    await apiserver.start();
    await apiserver.createNamespace(watched);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await apiserver.helm(['uninstall', releaseName, '-n', apiserver.namespace]);
    await apiserver.deleteNamespace();
    await apiserver.deleteNamespace(watched);
  }, 60_000);

  it('takes one rule list, flash-sale.operator.rules, for the ClusterRole and the Role alike', async () => {
    const generated = await templateSource('_generated-rbac.tpl');
    expect(generated).toContain('{{- define "flash-sale.operator.rules" -}}');
    for (const template of ['operator-clusterrole.yaml', 'operator-watch-role.yaml']) {
      expect(await templateSource(template))
        .withContext(template)
        .toContain('include "flash-sale.operator.rules"');
    }
    const clusterWide = find(await render(), 'ClusterRole', operatorRole);
    const scoped = find(
      await render(['--set', 'operator.watchNamespace=shop']),
      'Role',
      operatorRole,
    );
    const plain = parseAllDocuments(
      await readFile(join(projectRoot, 'manifests', 'rbac', 'cluster-role.yaml'), 'utf8'),
    )
      .map((document) => document.toJS() as { kind: string; rules: unknown[] })
      .find((object) => object.kind === 'ClusterRole');
    if (!plain) throw new Error('manifests/rbac/cluster-role.yaml has no ClusterRole');
    expect(clusterWide.rules).toEqual(plain.rules);
    expect(scoped.rules).toEqual(plain.rules);
  });

  it('with watchNamespace grants the operator its rules in that namespace only, and nothing cluster-wide', async () => {
    const objects = await render(['--set', `operator.watchNamespace=${watched}`]);
    const kinds = objects.map((object) => object.kind);
    expect(kinds).not.toContain('ClusterRole');
    expect(kinds).not.toContain('ClusterRoleBinding');
    expect(find(objects, 'Role', operatorRole).metadata.namespace).toBe(watched);
    expect(find(objects, 'RoleBinding', operatorRole).metadata.namespace).toBe(watched);

    const namespace = apiserver.namespace;
    await mustRun(
      'helm',
      [
        'install',
        releaseName,
        chartPath,
        '-n',
        namespace,
        '--set',
        `operator.watchNamespace=${watched}`,
      ],
      { kubeconfig: apiserver.kubeconfig },
    );
    const clusterRoles = await apiserver.kubectl([
      'get',
      'clusterroles,clusterrolebindings',
      '-l',
      `app.kubernetes.io/instance=${releaseName}`,
      '-o',
      'name',
    ]);
    expect(clusterRoles.trim()).toBe('');

    const account = `system:serviceaccount:${namespace}:${releaseName}-flash-sale-operator`;
    const canI = async (question: string): Promise<boolean> => {
      const result = await runTool(
        'kubectl',
        ['auth', 'can-i', `--as=${account}`, ...question.split(' ')],
        { kubeconfig: apiserver.kubeconfig },
      );
      if (result.exitCode > 1) throw new Error(`can-i ${question}: ${result.stderr}`);
      return result.exitCode === 0;
    };
    const allowed = [
      `watch flashsales.flashsale.io -n ${watched}`,
      `patch flashsales.flashsale.io -n ${watched}`,
      `update flashsales.flashsale.io/status -n ${watched}`,
      `update flashsales.flashsale.io/finalizers -n ${watched}`,
      `create events -n ${watched}`,
      `create events.events.k8s.io -n ${watched}`,
      `update leases.coordination.k8s.io -n ${namespace}`,
      `patch horizontalpodautoscalers.autoscaling -n ${namespace}`,
    ];
    const denied = [
      'watch flashsales.flashsale.io --all-namespaces',
      'watch flashsales.flashsale.io -n elsewhere',
      'create events -n elsewhere',
      `create flashsales.flashsale.io -n ${watched}`,
      `delete flashsales.flashsale.io -n ${watched}`,
      `get secrets -n ${watched}`,
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
  }, 90_000);
});
