import type { MigrationParams } from 'umzug';
import type { Sequelize } from 'sequelize';

/**
 * Who owns a sale name, and which incarnation of the sale the row describes. Sale names are
 * public URLs, unique per cluster: the owner (`namespace/uid` of a FlashSale, or `cli`) holds
 * the name until its sale is deleted. The incarnation's start (Redis clock) scopes purchases
 * to one life of a sale, so a re-created sale of the same name is judged on its own.
 * See docs/sale-lifecycle.md.
 */
export async function up({ context: sequelize }: MigrationParams<Sequelize>): Promise<void> {
  await sequelize.query(`
    ALTER TABLE sales
      ADD COLUMN owner                  text,
      ADD COLUMN incarnation            text,
      ADD COLUMN incarnation_started_at timestamptz`);
}

export async function down({ context: sequelize }: MigrationParams<Sequelize>): Promise<void> {
  await sequelize.query(`
    ALTER TABLE sales
      DROP COLUMN IF EXISTS owner,
      DROP COLUMN IF EXISTS incarnation,
      DROP COLUMN IF EXISTS incarnation_started_at`);
}
