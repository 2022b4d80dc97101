import type { SaleStore } from './sale-store.ts';

export interface SaleVerification {
  readonly stock: number;
  readonly sold: number;
  readonly remaining: number;
  readonly outboxPending: number;
  readonly persisted: number;
  /** Every sold unit is persisted, none twice, nothing waits, and stock adds up. */
  readonly consistent: boolean;
}

/**
 * The end-to-end invariant of a sale: units sold in Redis = units persisted in PostgreSQL,
 * once the pipeline (outbox → Kafka → persister) has drained; and sold + remaining = stock.
 */
export function judge(levels: Omit<SaleVerification, 'consistent'>): SaleVerification {
  const consistent =
    levels.remaining >= 0 &&
    levels.sold + levels.remaining === levels.stock &&
    levels.outboxPending === 0 &&
    levels.persisted === levels.sold;
  return { ...levels, consistent };
}

export async function verifySale(
  sales: SaleStore,
  persistedUnits: (sale: string) => Promise<number>,
  name: string,
): Promise<SaleVerification | undefined> {
  const levels = await sales.levels(name);
  if (!levels) return undefined;
  return judge({ ...levels, persisted: await persistedUnits(name) });
}

/** Verifies until consistent or until `waitMs` has passed (the pipeline may still be draining). */
export async function verifyWhenDrained(
  verify: () => Promise<SaleVerification | undefined>,
  waitMs: number,
): Promise<SaleVerification | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const result = await verify();
    if (!result || result.consistent || Date.now() >= deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
