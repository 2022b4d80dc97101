import type { Sequelize } from 'sequelize';
import { persistedLedger, type PersistedUnit } from '../persistence/purchases-table.ts';
import { systemClock, type Clock } from '@flashsale/runtime';
import { unitsByUser } from './sale-lifecycle.ts';
import type { SaleLedger, SaleStore } from './sale-store.ts';

export interface SaleVerification {
  readonly stock: number;
  /** Units in the Redis ledger of buyers (what the purchase decision recorded). */
  readonly sold: number;
  readonly remaining: number;
  /** Purchases still in the outbox (not yet handed to Kafka). */
  readonly outboxPending: number;
  /** Units stored in PostgreSQL for this incarnation of the sale. */
  readonly persisted: number;
  /** The incarnation judged (its id and the instant it began, on the Redis clock). */
  readonly incarnation: string;
  readonly incarnationStartedAt: string;
  /** Every disagreement found, in words; empty when consistent. */
  readonly problems: readonly string[];
  /** The records agree, user by user, and nothing waits in the outbox. */
  readonly consistent: boolean;
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function userProblems(
  buyers: ReadonlyMap<string, number>,
  stored: ReadonlyMap<string, number>,
  waiting: ReadonlyMap<string, number>,
): string[] {
  const users = new Set([...buyers.keys(), ...stored.keys(), ...waiting.keys()]);
  const problems: string[] = [];
  for (const user of [...users].sort()) {
    const ledger = buyers.get(user) ?? 0;
    const rows = stored.get(user) ?? 0;
    const outbox = waiting.get(user) ?? 0;
    if (ledger !== rows + outbox)
      problems.push(
        `user ${user}: the Redis ledger says ${ledger} units, PostgreSQL holds ${rows} and the outbox ${outbox}`,
      );
  }
  return problems;
}

/**
 * Compares records that are kept independently: the Redis ledger of buyers (userId → units,
 * written by the purchase decision) against the PostgreSQL rows of this incarnation plus the
 * purchases still in the outbox (each purchase counted once), user by user; and the ledger
 * against the stock counter (ledger + remaining = stock). A deleted row, a dropped outbox
 * entry or a counter that drifted each shows up as a problem.
 */
export function judge(ledger: SaleLedger, rows: readonly PersistedUnit[]): SaleVerification {
  const stored = unitsByUser(rows, []);
  const inPostgres = new Set(rows.map((row) => row.purchaseId));
  const waiting = unitsByUser(
    [],
    ledger.outbox.filter((purchase) => !inPostgres.has(purchase.purchaseId)),
  );
  const stock = ledger.stock ?? 0;
  const remaining = ledger.remaining ?? 0;
  const sold = sum(ledger.buyers.values());
  const problems = userProblems(ledger.buyers, stored.units, waiting.units);
  if (remaining < 0) problems.push(`remaining is negative (${remaining})`);
  if (sold + remaining !== stock)
    problems.push(
      `the ledger's ${sold} units sold plus ${remaining} remaining is not the stock ${stock}`,
    );
  if (ledger.outbox.length > 0)
    problems.push(`${ledger.outbox.length} purchases are still in the outbox (not drained)`);
  return {
    stock,
    sold,
    remaining,
    outboxPending: ledger.outbox.length,
    persisted: stored.total,
    incarnation: ledger.incarnation,
    incarnationStartedAt: (ledger.incarnationStartedAt ?? new Date(0)).toISOString(),
    problems,
    consistent: problems.length === 0,
  };
}

/**
 * Verifies one incarnation of a sale. Redis is read first, in one atomic step, then
 * PostgreSQL: a purchase that moves from the outbox to PostgreSQL in between is then in both
 * records (and counted once), never in neither. One still in Kafka (between relay and
 * persister) is in neither until the persister stores it, so callers retry while draining.
 */
export async function verifySale(
  sales: SaleStore,
  database: Sequelize,
  name: string,
): Promise<SaleVerification | undefined> {
  const ledger = await sales.ledger(name);
  if (ledger.stock === undefined) return undefined;
  const rows = await persistedLedger(database, name, ledger.incarnationStartedAt ?? new Date(0));
  return judge(ledger, rows);
}

/** Verifies until consistent or until `waitMs` has passed (the pipeline may still be draining). */
export async function verifyWhenDrained(
  verify: () => Promise<SaleVerification | undefined>,
  waitMs: number,
  clock: Clock = systemClock,
): Promise<SaleVerification | undefined> {
  const deadline = clock.monotonicMs() + waitMs;
  for (;;) {
    const result = await verify();
    if (!result || result.consistent || clock.monotonicMs() >= deadline) return result;
    await clock.sleep(250);
  }
}
