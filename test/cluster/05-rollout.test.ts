import { eventually } from '@flashsale/testkit';
import {
  applyObject,
  clusterStartTimeoutMs,
  flashSale,
  kubectl,
  uniqueName,
  useCluster,
  type ClusterEnv,
} from './cluster-harness.ts';
import { crowd, failedRequests, persisted } from './load-helpers.ts';

async function activeSale(env: ClusterEnv, label: string, stock: number): Promise<string> {
  const sale = uniqueName(label);
  const now = Date.now();
  await applyObject(
    flashSale(sale, { stock, startsAt: new Date(now - 60_000), endsAt: new Date(now + 1_800_000) }),
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
  return sale;
}

describe('cluster: `kubectl rollout restart` of the API under load', () => {
  let env: ClusterEnv;

  beforeAll(async () => {
    env = await useCluster();
  }, clusterStartTimeoutMs);

  it('loses no confirmed purchase (rows == 201s) and fails no request', async () => {
    const sale = await activeSale(env, 'cluster-roll', 100_000);
    let rolling = true;
    const load = crowd(env, sale, 100_000, { concurrency: 8, keepGoing: () => rolling });
    const restart = await kubectl([
      'rollout',
      'restart',
      'deployment/flash-sale-api',
      '-n',
      env.namespace,
    ]);
    expect(restart.code).withContext(restart.output).toBe(0);
    const status = await kubectl([
      'rollout',
      'status',
      'deployment/flash-sale-api',
      '-n',
      env.namespace,
      '--timeout=4m',
    ]);
    rolling = false;
    const result = await load;
    expect(status.code).withContext(status.output).toBe(0);
    const confirmed = result.byStatus[201] ?? 0;
    // Reported whatever the outcome: every answer by status, and requests that got none.
    process.stdout.write(
      `\n    rollout under load: ${JSON.stringify(result.byStatus)}, network errors ${result.networkErrors}\n`,
    );
    expect(confirmed).toBeGreaterThan(0);
    const rows = await eventually(
      'every confirmed purchase persisted',
      async () => {
        const found = await persisted(env, sale);
        return found.rows >= confirmed ? found : undefined;
      },
      90_000,
    );
    expect(rows.rows).toBe(confirmed);
    expect(rows.ids).toEqual([...result.confirmedIds].sort());
    expect(failedRequests(result)).toBe(0);
  });
});
