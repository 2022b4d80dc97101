import { eventually } from '@flashsale/testkit';
import {
  applyObject,
  clusterStartTimeoutMs,
  flashSale,
  kubectl,
  readyPods,
  uniqueName,
  useCluster,
  type ClusterEnv,
} from './cluster-harness.ts';
import { crowd, failedRequests, persisted } from './load-helpers.ts';

describe('cluster: deleting a relay pod mid-batch', () => {
  let env: ClusterEnv;

  beforeAll(async () => {
    env = await useCluster();
  }, clusterStartTimeoutMs);

  it('loses nothing and duplicates nothing', async () => {
    const sale = uniqueName('cluster-relay');
    const stock = 400;
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
    const [victim] = await readyPods(env, 'relay');
    expect(victim).withContext('a Ready relay pod').toBeDefined();
    let sent = 0;
    const load = crowd(env, sale, stock, {
      concurrency: 16,
      keepGoing: () => {
        sent += 1;
        return true;
      },
    });
    // Killed without grace while purchases stream through the outbox.
    await eventually('the crowd under way', () =>
      Promise.resolve(sent > stock / 4 ? true : undefined),
    );
    const killed = await kubectl([
      'delete',
      'pod',
      victim ?? '',
      '-n',
      env.namespace,
      '--grace-period=0',
      '--force',
    ]);
    expect(killed.code).withContext(killed.output).toBe(0);
    const result = await load;
    const confirmed = result.byStatus[201] ?? 0;
    // The API is not what this spec is about, but every buyer must have had an answer.
    expect(failedRequests(result)).withContext(JSON.stringify(result.byStatus)).toBe(0);
    expect(confirmed).toBe(stock);
    const rows = await eventually(
      'every purchase persisted',
      async () => {
        const found = await persisted(env, sale);
        return found.rows >= confirmed ? found : undefined;
      },
      120_000,
    );
    expect(rows.rows).toBe(confirmed);
    expect(rows.distinct).toBe(confirmed);
    expect(rows.ids).toEqual([...result.confirmedIds].sort());
  });
});
