import {
  clusterStartTimeoutMs,
  helm,
  kubectlJson,
  useCluster,
  type ClusterEnv,
} from './cluster-harness.ts';
import { eventually } from '@flashsale/testkit';

interface DeploymentList {
  items: {
    metadata: { name: string };
    spec: { replicas: number };
    status: { availableReplicas?: number; conditions?: { type: string; status: string }[] };
  }[];
}

interface PodList {
  items: {
    metadata: { name: string };
    status: { phase?: string; conditions?: { type: string; status: string }[] };
  }[];
}

describe('cluster: helm install of the chart on the real node', () => {
  let env: ClusterEnv;

  beforeAll(async () => {
    env = await useCluster();
  }, clusterStartTimeoutMs);

  it('makes every Deployment available with all its replicas', async () => {
    const deployments = await kubectlJson<DeploymentList>([
      'get',
      'deployments',
      '-n',
      env.namespace,
    ]);
    expect(deployments.items.map((item) => item.metadata.name).sort()).toEqual([
      'flash-sale-api',
      'flash-sale-operator',
      'flash-sale-persister',
      'flash-sale-relay',
      'flash-sale-web',
    ]);
    for (const deployment of deployments.items) {
      const available = deployment.status.conditions?.find((c) => c.type === 'Available');
      expect(available?.status).withContext(deployment.metadata.name).toBe('True');
      expect(deployment.status.availableReplicas)
        .withContext(deployment.metadata.name)
        .toBe(deployment.spec.replicas);
    }
  });

  it('runs every pod of the release, Ready', async () => {
    // Readiness is a state the pods reach (a probe may miss once on a busy node): wait for it.
    const notReady = (pods: PodList): string[] =>
      pods.items
        .filter((item) => item.status.phase !== 'Succeeded')
        .filter(
          (item) =>
            item.status.phase !== 'Running' ||
            item.status.conditions?.find((c) => c.type === 'Ready')?.status !== 'True',
        )
        .map((item) => `${item.metadata.name} (${item.status.phase ?? 'no phase'})`);
    const pods = await eventually(
      'every pod of the release Running and Ready',
      async () => {
        const list = await kubectlJson<PodList>([
          'get',
          'pods',
          '-n',
          env.namespace,
          '-l',
          `app.kubernetes.io/instance=${env.release}`,
        ]);
        const waiting = notReady(list);
        if (waiting.length > 0) throw new Error(`not Ready: ${waiting.join(', ')}`);
        return list;
      },
      120_000,
    );
    expect(pods.items.length).toBeGreaterThanOrEqual(5);
  }, 150_000);

  it('passes `helm test` (the test Pod reaches the API Service by name)', async () => {
    const result = await helm(['test', env.release, '-n', env.namespace, '--timeout', '3m']);
    expect(result.code).withContext(result.output).toBe(0);
    expect(result.output).toContain('Phase:          Succeeded');
  });
});
