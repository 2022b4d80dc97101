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

/** Who holds a sale name, and the incarnation of the sale the row describes. */
export interface SaleIdentity {
  readonly owner: string;
  readonly incarnation: string;
  readonly incarnationStartedAt: Date;
}

/**
 * Records a sale's definition on behalf of its owner. A row that another owner holds is
 * left exactly as it is; returns whether the row was written.
 */
export async function recordOwnedSale(
  sequelize: Sequelize,
  def: SaleDefinition,
  identity: SaleIdentity,
): Promise<boolean> {
  try {
    const written = await sequelize.query<{ name: string }>(
      `INSERT INTO sales (name, sku, title, price_cents, stock, per_user_limit, starts_at, ends_at,
                          owner, incarnation, incarnation_started_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (name) DO UPDATE SET
         sku = EXCLUDED.sku, title = EXCLUDED.title, price_cents = EXCLUDED.price_cents,
         stock = EXCLUDED.stock, per_user_limit = EXCLUDED.per_user_limit,
         starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, owner = EXCLUDED.owner,
         incarnation = EXCLUDED.incarnation,
         incarnation_started_at = EXCLUDED.incarnation_started_at, updated_at = now()
       WHERE sales.owner IS NULL OR sales.owner = EXCLUDED.owner
       RETURNING name`,
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
          identity.owner,
          identity.incarnation,
          identity.incarnationStartedAt,
        ],
        type: QueryTypes.SELECT,
      },
    );
    return written.length > 0;
  } catch (error) {
    throw new Error(`recording sale ${def.name} in the sales table failed`, { cause: error });
  }
}

/**
 * The operator's write of a sale's row: on behalf of its owner when `identity` is given (a
 * row another owner holds is left as it is; returns false then), otherwise the definition
 * alone, keeping the owner and incarnation the row already has.
 */
export async function writeSaleRow(
  sequelize: Sequelize,
  def: SaleDefinition,
  identity?: SaleIdentity,
): Promise<boolean> {
  if (!identity) {
    await upsertSale(sequelize, def);
    return true;
  }
  return recordOwnedSale(sequelize, def, identity);
}

/** The owner and incarnation the sales table records for a name (undefined: nobody's). */
export async function findSaleIdentity(
  sequelize: Sequelize,
  name: string,
): Promise<SaleIdentity | undefined> {
  const [row] = await sequelize.query<{
    owner: string | null;
    incarnation: string | null;
    incarnation_started_at: Date | null;
  }>('SELECT owner, incarnation, incarnation_started_at FROM sales WHERE name = $1', {
    bind: [name],
    type: QueryTypes.SELECT,
  });
  if (!row?.owner) return undefined;
  return {
    owner: row.owner,
    incarnation: row.incarnation ?? '',
    incarnationStartedAt: row.incarnation_started_at ?? new Date(0),
  };
}

/**
 * Gives a deleted sale's name back: the row stays (its purchases refer to it) but nobody owns
 * it any more. Only the owner's row is touched (`owner` undefined: whoever owns it).
 */
export async function releaseSale(
  sequelize: Sequelize,
  name: string,
  owner?: string,
): Promise<void> {
  await sequelize.query(
    `UPDATE sales SET owner = NULL, updated_at = now()
     WHERE name = $1 AND ($2::text IS NULL OR owner = $2::text)`,
    { bind: [name, owner ?? null], type: QueryTypes.UPDATE },
  );
}
