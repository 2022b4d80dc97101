import {
  clusterStartTimeoutMs,
  helm,
  kubectlJson,
  useCluster,
  type ClusterEnv,
} from './cluster-harness.ts';

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
    const pods = await kubectlJson<PodList>([
      'get',
      'pods',
      '-n',
      env.namespace,
      '-l',
      `app.kubernetes.io/instance=${env.release}`,
    ]);
    expect(pods.items.length).toBeGreaterThanOrEqual(5);
    for (const pod of pods.items.filter((item) => item.status.phase !== 'Succeeded')) {
      expect(pod.status.phase).withContext(pod.metadata.name).toBe('Running');
      const ready = pod.status.conditions?.find((c) => c.type === 'Ready');
      expect(ready?.status).withContext(pod.metadata.name).toBe('True');
    }
  });

  it('passes `helm test` (the test Pod reaches the API Service by name)', async () => {
    const result = await helm(['test', env.release, '-n', env.namespace, '--timeout', '3m']);
    expect(result.code).withContext(result.output).toBe(0);
    expect(result.output).toContain('Phase:          Succeeded');
  });
});
