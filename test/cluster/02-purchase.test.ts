import pg from 'pg';
import { eventually } from '@flashsale/testkit';
import {
  applyObject,
  clusterStartTimeoutMs,
  devToken,
  flashSale,
  uniqueName,
  useCluster,
  type ClusterEnv,
} from './cluster-harness.ts';

describe('cluster: a purchase through the in-cluster API', () => {
  let env: ClusterEnv;

  beforeAll(async () => {
    env = await useCluster();
  }, clusterStartTimeoutMs);

  it('is confirmed by an API pod and persisted by the in-cluster relay and persister', async () => {
    const sale = uniqueName('cluster-buy');
    const now = Date.now();
    await applyObject(
      flashSale(sale, {
        stock: 3,
        startsAt: new Date(now - 60_000),
        endsAt: new Date(now + 30 * 60_000),
      }),
    );
    // The operator (in its pod) configures the sale in Redis; the API then sells it.
    await eventually(
      `sale ${sale} active in the API`,
      async () => {
        const response = await fetch(`${env.apiUrl}/api/sales/${sale}`);
        const body = response.ok ? ((await response.json()) as { state?: string }) : undefined;
        return body?.state === 'active' ? true : undefined;
      },
      60_000,
    );

    const token = await devToken(env, 'cluster-buyer-1');
    const response = await fetch(`${env.apiUrl}/api/sales/${sale}/purchases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `${sale}-1`,
      },
      body: JSON.stringify({ quantity: 1 }),
    });
    expect(response.status).toBe(201);
    const { purchaseId } = (await response.json()) as { purchaseId: string };

    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const rows = await eventually(
        `purchase ${purchaseId} in PostgreSQL`,
        async () => {
          const result = await db.query<{ purchase_id: string; user_id: string; quantity: number }>(
            'SELECT purchase_id, user_id, quantity FROM purchases WHERE sale = $1',
            [sale],
          );
          return result.rows.length > 0 ? result.rows : undefined;
        },
        60_000,
      );
      expect(rows).toEqual([{ purchase_id: purchaseId, user_id: 'cluster-buyer-1', quantity: 1 }]);
    } finally {
      await db.end();
    }
  });
});
