import type { MigrationParams } from 'umzug';
import type { Sequelize } from 'sequelize';

/**
 * Messages of the purchases topic the persister could not store (not JSON, not a purchase
 * event, or refused by PostgreSQL as data), kept byte for byte so nothing is lost and an
 * operator can inspect, fix and replay them (docs/data-path.md). One row per topic,
 * partition and offset, so a chunk replayed after a crash adds nothing.
 */
export async function up({ context: sequelize }: MigrationParams<Sequelize>): Promise<void> {
  await sequelize.query(`
    CREATE TABLE dead_letter_messages (
      topic             text        NOT NULL,
      kafka_partition   integer     NOT NULL,
      kafka_offset      bigint      NOT NULL,
      message_key       bytea,
      message_value     bytea,
      reason            text        NOT NULL,
      detail            text        NOT NULL,
      message_timestamp timestamptz,
      dead_lettered_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (topic, kafka_partition, kafka_offset)
    )`);
}

export async function down({ context: sequelize }: MigrationParams<Sequelize>): Promise<void> {
  await sequelize.query('DROP TABLE IF EXISTS dead_letter_messages');
}
