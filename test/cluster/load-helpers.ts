import pg from 'pg';
import type { ClusterEnv } from './cluster-harness.ts';
import { devToken } from './cluster-harness.ts';

/** What a crowd of buyers got back: every answer counted by status, network errors apart. */
export interface CrowdResult {
  readonly byStatus: Record<number, number>;
  readonly networkErrors: number;
  readonly confirmedIds: string[];
}

/** Failed requests: 5xx answers and requests that got no answer at all. */
export function failedRequests(result: CrowdResult): number {
  const serverErrors = Object.entries(result.byStatus)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  return serverErrors + result.networkErrors;
}

/**
 * `buyers` distinct users each buy once, `concurrency` at a time, until `keepGoing` says
 * stop (or every buyer has bought). Tokens come from the in-cluster API's dev login.
 */
export async function crowd(
  env: ClusterEnv,
  sale: string,
  buyers: number,
  options: { concurrency: number; keepGoing?: () => boolean },
): Promise<CrowdResult> {
  const byStatus: Record<number, number> = {};
  const confirmedIds: string[] = [];
  let networkErrors = 0;
  let next = 0;
  const buyer = async (): Promise<void> => {
    while (next < buyers && (options.keepGoing?.() ?? true)) {
      const user = `${sale}-u${next}`;
      next += 1;
      try {
        const token = await devToken(env, user);
        const response = await fetch(`${env.apiUrl}/api/sales/${sale}/purchases`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': `${user}-k`,
          },
          body: JSON.stringify({ quantity: 1 }),
        });
        byStatus[response.status] = (byStatus[response.status] ?? 0) + 1;
        const body = (await response.json().catch(() => ({}))) as { purchaseId?: string };
        if (response.status === 201 && body.purchaseId) confirmedIds.push(body.purchaseId);
      } catch {
        networkErrors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, buyer));
  return { byStatus, networkErrors, confirmedIds };
}

/** Rows of one sale in PostgreSQL: how many, and how many distinct purchase ids. */
export async function persisted(
  env: ClusterEnv,
  sale: string,
): Promise<{ rows: number; distinct: number; ids: string[] }> {
  const db = new pg.Client({ connectionString: env.databaseUrl });
  await db.connect();
  try {
    const result = await db.query<{ purchase_id: string }>(
      'SELECT purchase_id FROM purchases WHERE sale = $1',
      [sale],
    );
    const ids = result.rows.map((row) => row.purchase_id).sort();
    return { rows: ids.length, distinct: new Set(ids).size, ids };
  } finally {
    await db.end();
  }
}
