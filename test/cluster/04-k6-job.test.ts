import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { k6Image, projectRoot } from '@flashsale/stack';
import { eventually } from '@flashsale/testkit';
import {
  applyObject,
  clusterStartTimeoutMs,
  flashSale,
  kubectlJson,
  uniqueName,
  useCluster,
  type ClusterEnv,
} from './cluster-harness.ts';
import { persisted } from './load-helpers.ts';

interface Container {
  name: string;
  image: string;
  env: { name: string; value?: string }[];
  resources: object;
}
interface JobManifest {
  metadata: { name: string; namespace?: string };
  spec: { template: { spec: { containers: Container[] } } };
}

async function manifest<T>(file: string): Promise<T> {
  const text = await readFile(join(projectRoot, 'manifests', 'k6', file), 'utf8');
  return parseAllDocuments(text)[0]?.toJSON() as T;
}

/** The repository's Job, pointed at this node's k6 image, sale and a stock that fits one CPU. */
function forThisNode(
  job: JobManifest,
  sale: string,
  stock: number,
  namespace: string,
): JobManifest {
  const values: Record<string, string> = {
    SALE: sale,
    STOCK: String(stock),
    USERS: String(stock * 5),
    VUS: '40',
  };
  const [container] = job.spec.template.spec.containers;
  if (!container) throw new Error('manifests/k6/job.yaml has no container');
  container.image = k6Image;
  (container as Container & { imagePullPolicy: string }).imagePullPolicy = 'Never';
  container.resources = { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '1Gi' } };
  container.env = container.env.map((entry) => {
    const value = values[entry.name];
    return value === undefined ? entry : { name: entry.name, value };
  });
  return { ...job, metadata: { ...job.metadata, name: `k6-${sale}`, namespace } };
}

interface JobStatus {
  status: { succeeded?: number; failed?: number };
}
interface PodList {
  items: { status: { containerStatuses?: { state: { terminated?: { exitCode: number } } }[] } }[];
}

describe('cluster: the k6 Job of manifests/k6, in-cluster against the API Service', () => {
  let env: ClusterEnv;

  beforeAll(async () => {
    env = await useCluster();
  }, clusterStartTimeoutMs);

  it('exits 0: exactly the stock confirmed, no 5xx, replays answered with the original', async () => {
    const sale = uniqueName('cluster-k6');
    const stock = 150;
    const now = Date.now();
    await applyObject(
      flashSale(sale, {
        stock,
        startsAt: new Date(now - 60_000),
        endsAt: new Date(now + 1_800_000),
      }),
    );
    await eventually(
      `sale ${sale} active`,
      async () => {
        const response = await fetch(`${env.apiUrl}/api/sales/${sale}`);
        return response.ok && ((await response.json()) as { state: string }).state === 'active'
          ? true
          : undefined;
      },
      60_000,
    );
    const configMap = await manifest<{ metadata: object }>('configmap.yaml');
    await applyObject({
      ...configMap,
      metadata: { ...configMap.metadata, namespace: env.namespace },
    });
    const job = forThisNode(await manifest<JobManifest>('job.yaml'), sale, stock, env.namespace);
    await applyObject(job);

    const done = await eventually(
      `Job ${job.metadata.name} to finish`,
      async () => {
        const state = await kubectlJson<JobStatus>([
          'get',
          'job',
          job.metadata.name,
          '-n',
          env.namespace,
        ]);
        return (state.status.succeeded ?? 0) + (state.status.failed ?? 0) > 0 ? state : undefined;
      },
      6 * 60_000,
    );
    const pods = await kubectlJson<PodList>([
      'get',
      'pods',
      '-n',
      env.namespace,
      '-l',
      `job-name=${job.metadata.name}`,
    ]);
    const exitCode = pods.items[0]?.status.containerStatuses?.[0]?.state.terminated?.exitCode;
    expect(exitCode).toBe(0);
    expect(done.status.succeeded).toBe(1);
    const rows = await eventually(
      'every winner persisted',
      async () => {
        const found = await persisted(env, sale);
        return found.rows >= stock ? found : undefined;
      },
      60_000,
    );
    expect(rows.rows).toBe(stock);
    expect(rows.distinct).toBe(stock);
  });
});
