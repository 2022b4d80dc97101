import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { SaleDefinition } from '../sales/sale-definition.ts';

/**
 * Records a sale's definition, replacing what an earlier apply wrote. Idempotent, so the
 * operator can call it on every reconcile.
 */
export async function upsertSale(
  sequelize: Sequelize,
  def: SaleDefinition,
  transaction?: Transaction,
): Promise<void> {
  try {
    await sequelize.query(
      `INSERT INTO sales (name, sku, title, price_cents, stock, per_user_limit, starts_at, ends_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (name) DO UPDATE SET
         sku = EXCLUDED.sku,
         title = EXCLUDED.title,
         price_cents = EXCLUDED.price_cents,
         stock = EXCLUDED.stock,
         per_user_limit = EXCLUDED.per_user_limit,
         starts_at = EXCLUDED.starts_at,
         ends_at = EXCLUDED.ends_at,
         updated_at = now()`,
      {
        bind: [
          def.name,
          def.sku,
          def.title,
          def.priceCents,
          def.stock,
          def.perUserLimit,
          def.startsAt,
          def.endsAt,
        ],
        type: QueryTypes.INSERT,
        ...(transaction ? { transaction } : {}),
      },
    );
  } catch (error) {
    throw new Error(`recording sale ${def.name} in the sales table failed`, { cause: error });
  }
}

interface SaleRow {
  name: string;
  sku: string;
  title: string;
  price_cents: number;
  stock: number;
  per_user_limit: number;
  starts_at: Date;
  ends_at: Date;
}

/** The sale as the sales table records it, or undefined when it has no row. */
export async function findSale(
  sequelize: Sequelize,
  name: string,
): Promise<SaleDefinition | undefined> {
  const [row] = await sequelize.query<SaleRow>(
    `SELECT name, sku, title, price_cents, stock, per_user_limit, starts_at, ends_at
     FROM sales WHERE name = $1`,
    { bind: [name], type: QueryTypes.SELECT },
  );
  if (!row) return undefined;
  return {
    name: row.name,
    sku: row.sku,
    title: row.title,
    priceCents: row.price_cents,
    stock: row.stock,
    perUserLimit: row.per_user_limit,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
  };
}
