import type { MigrationParams } from 'umzug';
import type { Sequelize } from 'sequelize';

/**
 * Confirmed purchases as the persister receives them from Kafka. The primary key on
 * `purchase_id` is what turns at-least-once delivery into exactly one row per purchase.
 *
 * There is deliberately no foreign key to `sales`: a purchase event can reach the persister
 * before (or without) the sale row, and a confirmed purchase must never be refused here.
 */
export async function up({ context: sequelize }: MigrationParams<Sequelize>): Promise<void> {
  // DDL is transactional in PostgreSQL: a failure leaves neither the table nor its indexes.
  await sequelize.transaction(async (transaction) => {
    await sequelize.query(
      `CREATE TABLE purchases (
        purchase_id   text        PRIMARY KEY,
        sale          text        NOT NULL,
        user_id       text        NOT NULL,
        quantity      integer     NOT NULL CHECK (quantity >= 1),
        purchased_at  timestamptz NOT NULL,
        persisted_at  timestamptz NOT NULL DEFAULT now()
      )`,
      { transaction },
    );
    await sequelize.query('CREATE INDEX purchases_sale_idx ON purchases (sale)', { transaction });
    await sequelize.query('CREATE INDEX purchases_sale_user_idx ON purchases (sale, user_id)', {
      transaction,
    });
  });
}

export async function down({ context: sequelize }: MigrationParams<Sequelize>): Promise<void> {
  await sequelize.query('DROP TABLE IF EXISTS purchases');
}
