import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { PurchaseEvent } from '../purchases/purchase.ts';

/** A row of the purchases table. */
export interface PersistedPurchase {
  readonly purchaseId: string;
  readonly sale: string;
  readonly userId: string;
  readonly quantity: number;
  readonly purchasedAt: Date;
  readonly persistedAt: Date;
}

/*
 * One statement whatever the batch size: the rows travel as five arrays, so the number of
 * bind parameters stays at five (a VALUES list would hit PostgreSQL's 65,535-parameter
 * limit at about 13,000 rows). ON CONFLICT DO NOTHING also absorbs a purchase repeated
 * within the same batch.
 */
const insertSql = `
  INSERT INTO purchases (purchase_id, sale, user_id, quantity, purchased_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::timestamptz[])
  ON CONFLICT (purchase_id) DO NOTHING
  RETURNING purchase_id`;

/**
 * Inserts the purchases not yet stored and returns the ids of those it inserted; purchases
 * already present (a redelivered event) are left untouched.
 */
export async function insertNewPurchases(
  sequelize: Sequelize,
  events: readonly PurchaseEvent[],
  transaction?: Transaction,
): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = await sequelize.query<{ purchase_id: string }>(insertSql, {
    bind: [
      events.map((event) => event.purchaseId),
      events.map((event) => event.sale),
      events.map((event) => event.userId),
      events.map((event) => event.quantity),
      events.map((event) => event.purchasedAt),
    ],
    type: QueryTypes.SELECT,
    ...(transaction ? { transaction } : {}),
  });
  return rows.map((row) => row.purchase_id);
}

/** Like `insertNewPurchases`, returning only how many rows were inserted. */
export async function insertPurchases(
  sequelize: Sequelize,
  events: readonly PurchaseEvent[],
  transaction?: Transaction,
): Promise<number> {
  return (await insertNewPurchases(sequelize, events, transaction)).length;
}

/**
 * Units of a sale stored in PostgreSQL (the `persisted` figure of the sale's status); with
 * `since`, only those of the incarnation that began then (purchase times are on the same
 * Redis clock, and an incarnation begins only after the previous one stopped selling).
 */
export async function persistedUnits(
  sequelize: Sequelize,
  sale: string,
  since?: Date,
): Promise<number> {
  // SUM over integer is bigint, which pg returns as a string; units fit a JS number.
  const [row] = await sequelize.query<{ units: string }>(
    `SELECT COALESCE(SUM(quantity), 0)::text AS units FROM purchases
     WHERE sale = $1 AND purchased_at >= $2`,
    { bind: [sale, since ?? new Date(0)], type: QueryTypes.SELECT },
  );
  return Number(row?.units ?? 0);
}

/** One stored purchase as verification and reseeding count it. */
export interface PersistedUnit {
  readonly purchaseId: string;
  readonly userId: string;
  readonly quantity: number;
  readonly purchasedAtMs: number;
}

/** The stored purchases of one incarnation of a sale (see `persistedUnits`). */
export async function persistedLedger(
  sequelize: Sequelize,
  sale: string,
  since: Date,
): Promise<PersistedUnit[]> {
  const rows = await sequelize.query<{
    purchase_id: string;
    user_id: string;
    quantity: number;
    purchased_at: Date;
  }>(
    `SELECT purchase_id, user_id, quantity, purchased_at FROM purchases
     WHERE sale = $1 AND purchased_at >= $2`,
    { bind: [sale, since], type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    purchaseId: row.purchase_id,
    userId: row.user_id,
    quantity: row.quantity,
    purchasedAtMs: new Date(row.purchased_at).getTime(),
  }));
}

interface PurchaseRow {
  purchase_id: string;
  sale: string;
  user_id: string;
  quantity: number;
  purchased_at: Date;
  persisted_at: Date;
}

/** Every stored purchase of a sale, oldest first (for verification and tests). */
export async function persistedPurchases(
  sequelize: Sequelize,
  sale: string,
): Promise<PersistedPurchase[]> {
  const rows = await sequelize.query<PurchaseRow>(
    `SELECT purchase_id, sale, user_id, quantity, purchased_at, persisted_at
     FROM purchases WHERE sale = $1 ORDER BY purchased_at, purchase_id`,
    { bind: [sale], type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    purchaseId: row.purchase_id,
    sale: row.sale,
    userId: row.user_id,
    quantity: row.quantity,
    purchasedAt: row.purchased_at,
    persistedAt: row.persisted_at,
  }));
}
