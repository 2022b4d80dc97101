import type { MigrationParams } from 'umzug';
import type { Sequelize } from 'sequelize';

/**
 * One row per sale, written by the operator and `flashsale sale apply` so that purchases can
 * be reported against the sale they belong to. Redis stays the source of truth for stock; this
 * row is a durable record of what was configured.
 */
export async function up({ context: sequelize }: MigrationParams<Sequelize>): Promise<void> {
  await sequelize.query(`
    CREATE TABLE sales (
      name            text        PRIMARY KEY,
      sku             text        NOT NULL,
      title           text        NOT NULL,
      price_cents     integer     NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
      stock           integer     NOT NULL CHECK (stock >= 0),
      per_user_limit  integer     NOT NULL DEFAULT 1 CHECK (per_user_limit >= 1),
      starts_at       timestamptz NOT NULL,
      ends_at         timestamptz NOT NULL,
      updated_at      timestamptz NOT NULL DEFAULT now()
    )`);
}

export async function down({ context: sequelize }: MigrationParams<Sequelize>): Promise<void> {
  await sequelize.query('DROP TABLE IF EXISTS sales');
}
