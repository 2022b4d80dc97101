import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** Why a message was dead-lettered: the `reason` label of the metric and column. */
export type DeadLetterReason = 'unparseable' | 'invalid' | 'rejected_by_database';

/** A message of the purchases topic the persister could not store. */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly reason: DeadLetterReason;
  /** What was wrong, for a person (a few hundred characters). */
  readonly detail: string;
  /** The message's Kafka timestamp (milliseconds), when it has one. */
  readonly timestampMs?: number;
}

/** A dead-letter row, as read back for inspection and tests. */
export interface DeadLetterRow {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly value: Buffer | null;
  readonly reason: DeadLetterReason;
  readonly detail: string;
}

const insertSql = `
  INSERT INTO dead_letter_messages
    (topic, kafka_partition, kafka_offset, message_key, message_value, reason, detail,
     message_timestamp)
  SELECT t, p, o, k, v, r, d, to_timestamp(ts / 1000.0)
  FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::bytea[], $5::bytea[], $6::text[],
              $7::text[], $8::double precision[]) AS x(t, p, o, k, v, r, d, ts)
  ON CONFLICT (topic, kafka_partition, kafka_offset) DO NOTHING`;

/** PostgreSQL text cannot hold NUL; a detail quoting the bad value may contain one. */
const printable = (text: string): string => text.replaceAll('\0', '\\0').slice(0, 1000);

/** Stores dead letters; one already stored (a replayed chunk) is left as it is. */
export async function insertDeadLetters(
  sequelize: Sequelize,
  letters: readonly DeadLetter[],
  transaction?: Transaction,
): Promise<void> {
  if (letters.length === 0) return;
  await sequelize.query(insertSql, {
    bind: [
      letters.map((letter) => letter.topic),
      letters.map((letter) => letter.partition),
      letters.map((letter) => letter.offset),
      letters.map((letter) => letter.key),
      letters.map((letter) => letter.value),
      letters.map((letter) => letter.reason),
      letters.map((letter) => printable(letter.detail)),
      letters.map((letter) => letter.timestampMs ?? null),
    ],
    type: QueryTypes.INSERT,
    ...(transaction ? { transaction } : {}),
  });
}

interface Row {
  topic: string;
  kafka_partition: number;
  kafka_offset: string;
  message_value: Buffer | null;
  reason: DeadLetterReason;
  detail: string;
}

/** Every dead letter of a topic, in partition and offset order. */
export async function deadLetters(sequelize: Sequelize, topic: string): Promise<DeadLetterRow[]> {
  const rows = await sequelize.query<Row>(
    `SELECT topic, kafka_partition, kafka_offset::text AS kafka_offset, message_value, reason,
            detail
     FROM dead_letter_messages WHERE topic = $1 ORDER BY kafka_partition, kafka_offset`,
    { bind: [topic], type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({
    topic: row.topic,
    partition: row.kafka_partition,
    offset: row.kafka_offset,
    value: row.message_value,
    reason: row.reason,
    detail: row.detail,
  }));
}
