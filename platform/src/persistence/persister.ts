import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Sequelize } from 'sequelize';
import type { PurchaseEvent } from '../purchases/purchase.ts';
import { checkStorableEvent } from '../purchases/storable-event.ts';
import { insertDeadLetters, type DeadLetter, type DeadLetterReason } from './dead-letters-table.ts';
import { PersistMetrics } from './persist-metrics.ts';
import { insertNewPurchases } from './purchases-table.ts';
import {
  SpanKind,
  contextFrom,
  tracer,
  backoffDelayMs,
  defaultBackoff,
  type BackoffOptions,
  systemClock,
  type Clock,
} from '@flashsale/runtime';
import type { Span } from '@opentelemetry/api';

export const defaultPurchasesTopic = 'flashsale.purchases';
export const defaultPersisterGroupId = 'flashsale-persister';

export interface PurchasePersisterOptions {
  readonly kafka: Kafka;
  readonly sequelize: Sequelize;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Default `flashsale.purchases`. */
  readonly topic?: string;
  /** Default `flashsale-persister`. */
  readonly groupId?: string;
  /** Most messages written in one transaction; a larger fetch is split. Default 1000. */
  readonly batchMax?: number;
  /** Partitions processed at once, each with its own transaction. Default 1. */
  readonly partitionsConsumedConcurrently?: number;
  /** Delays between attempts while PostgreSQL refuses writes. Default 200 ms → 5 s. */
  readonly retry?: BackoffOptions;
  /** Called when the consumer has crashed and will not restart by itself. */
  readonly onFatalError?: (error: Error) => void;
  /** Reads the time the persistence lag is measured to. */
  readonly clock?: Clock;
}

/** The part of a kafkajs batch that one transaction covers. */
interface Chunk {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
}

/** A message of a chunk and the purchase event it carries. */
interface Parsed {
  readonly message: KafkaMessage;
  readonly event: PurchaseEvent;
}

/** A chunk sorted into what becomes purchase rows and what becomes dead letters. */
interface Sorted {
  parsed: Parsed[];
  readonly rejected: DeadLetter[];
}

function deadLetterOf(
  chunk: Chunk,
  message: KafkaMessage,
  reason: DeadLetterReason,
  detail: string,
): DeadLetter {
  const timestampMs = Number(message.timestamp);
  return {
    topic: chunk.topic,
    partition: chunk.partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    reason,
    detail,
    ...(Number.isFinite(timestampMs) ? { timestampMs } : {}),
  };
}

/**
 * PostgreSQL refused the values themselves (SQLSTATE class 22 data exception, 23 integrity
 * violation): the same statement would fail again however often it is retried. Connection
 * errors, timeouts, a missing table or a read-only database are not data errors.
 */
export function isDataError(error: unknown): boolean {
  const holder = error as { parent?: { code?: unknown }; original?: { code?: unknown } };
  const code = holder?.parent?.code ?? holder?.original?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * A span per message, continuing the trace its `traceparent` header carries from the
 * request that made the purchase; it covers the database write that persists it.
 */
function persistSpan(topic: string, message: KafkaMessage): Span {
  const header = message.headers?.traceparent;
  const traceparent = Array.isArray(header) ? header[0]?.toString() : header?.toString();
  const parent = contextFrom(traceparent ? { traceparent } : {});
  const attributes = {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.operation.type': 'process',
  };
  return tracer.startSpan(`${topic} persist`, { kind: SpanKind.CONSUMER, attributes }, parent);
}

/**
 * Copies purchase events from Kafka into the purchases table.
 *
 * Delivery is at least once: a chunk of messages is inserted in one transaction, and only
 * after PostgreSQL has committed are its offsets committed to Kafka. A crash in between
 * replays the chunk, and the primary key on `purchase_id` makes the replay insert nothing.
 * While PostgreSQL refuses writes the chunk is retried with backoff, heartbeating so the
 * consumer keeps its partitions instead of handing them to a replica that would fail too.
 */
export class PurchasePersister {
  readonly #consumer: Consumer;
  readonly #sequelize: Sequelize;
  readonly #logger: Logger;
  readonly #metrics: PersistMetrics;
  readonly #topic: string;
  readonly #batchMax: number;
  readonly #concurrency: number;
  readonly #retry: BackoffOptions;
  readonly #clock: Clock;
  readonly #stopping = new AbortController();
  #inGroup = false;
  #started = false;

  constructor(options: PurchasePersisterOptions) {
    this.#sequelize = options.sequelize;
    this.#logger = options.logger;
    this.#metrics = new PersistMetrics(options.registry);
    this.#topic = options.topic ?? defaultPurchasesTopic;
    this.#batchMax = options.batchMax ?? 1000;
    this.#concurrency = options.partitionsConsumedConcurrently ?? 1;
    this.#retry = options.retry ?? defaultBackoff;
    this.#clock = options.clock ?? systemClock;
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId ?? defaultPersisterGroupId,
    });
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, () => {
      this.#inGroup = true;
    });
    this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
      this.#inGroup = false;
      this.#logger.error(
        { err: payload.error, restart: payload.restart },
        'persister consumer crashed',
      );
      if (!payload.restart) options.onFatalError?.(payload.error);
    });
  }

  /** Joins the consumer group and starts persisting; returns once consumption has begun. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('the persister was already started');
    this.#started = true;
    try {
      await this.#consumer.connect();
      // A new group starts from the earliest offset: events written before the persister
      // first ran must be persisted too.
      await this.#consumer.subscribe({ topics: [this.#topic], fromBeginning: true });
      await this.#consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.#concurrency,
        eachBatch: (payload) => this.#persistBatch(payload),
      });
    } catch (error) {
      throw new Error(`starting the persister on topic ${this.#topic} failed`, { cause: error });
    }
  }

  /**
   * Stops consuming, lets the chunk in flight finish (or abandons its retries, uncommitted,
   * for the next owner of the partition), then leaves the group.
   */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#inGroup = false;
    await this.#consumer.disconnect();
  }

  /** True while the consumer is a member of its group and not shutting down. */
  isReady(): boolean {
    return this.#inGroup && !this.#stopping.signal.aborted;
  }

  async #persistBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    for (let start = 0; start < messages.length; start += this.#batchMax) {
      if (!this.#mayContinue(payload)) return;
      const chunk = { topic, partition, messages: messages.slice(start, start + this.#batchMax) };
      const done = await this.#persistChunk(payload, chunk);
      if (!done) return;
    }
  }

  /** Returns false when the chunk was abandoned (shutdown or lost partition), uncommitted. */
  async #persistChunk(payload: EachBatchPayload, chunk: Chunk): Promise<boolean> {
    const last = chunk.messages.at(-1);
    if (!last) return true;
    const sorted = this.#sort(chunk);
    const spans = chunk.messages.map((message) => persistSpan(chunk.topic, message));
    const inserted = await this.#storeUntilCommitted(payload, chunk, sorted);
    for (const span of spans) span.end();
    if (inserted === undefined) return false;
    this.#recordPersisted(
      sorted.parsed.map((entry) => entry.event),
      inserted,
    );
    this.#recordDeadLettered(sorted.rejected);

    payload.resolveOffset(last.offset);
    const next = (BigInt(last.offset) + 1n).toString();
    await payload.commitOffsetsIfNecessary({
      topics: [{ topic: chunk.topic, partitions: [{ partition: chunk.partition, offset: next }] }],
    });
    await payload.heartbeat();
    return true;
  }

  /**
   * Splits a chunk into the purchase events it carries and the messages that can never be
   * one (not JSON, not a purchase event, values out of the columns' range). Those go to the
   * dead-letter table with the chunk: retrying them would block the partition for good.
   */
  #sort(chunk: Chunk): Sorted {
    const sorted: Sorted = { parsed: [], rejected: [] };
    for (const message of chunk.messages) {
      const value = message.value?.toString('utf8');
      if (value === undefined) {
        sorted.rejected.push(
          deadLetterOf(chunk, message, 'unparseable', 'the message has no value'),
        );
        continue;
      }
      let decoded: unknown;
      try {
        decoded = JSON.parse(value);
      } catch (error) {
        const detail = `not JSON: ${(error as Error).message}`;
        sorted.rejected.push(deadLetterOf(chunk, message, 'unparseable', detail));
        continue;
      }
      const check = checkStorableEvent(decoded);
      if (check.ok) sorted.parsed.push({ message, event: check.event });
      else sorted.rejected.push(deadLetterOf(chunk, message, 'invalid', check.reason));
    }
    return sorted;
  }

  /**
   * Writes the chunk's purchases and dead letters in one transaction, retrying while
   * PostgreSQL is unavailable. When PostgreSQL refuses the data itself (SQLSTATE class 22 or
   * 23), each purchase is tried alone and those it refuses join the dead letters; an outage
   * never dead-letters anything. Returns the ids inserted, or undefined when the attempt was
   * abandoned before PostgreSQL took it.
   */
  async #storeUntilCommitted(
    payload: EachBatchPayload,
    chunk: Chunk,
    sorted: Sorted,
  ): Promise<Set<string> | undefined> {
    let isolate = false;
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (isolate) await this.#setAsideUnstorable(chunk, sorted);
        return await this.#store(sorted);
      } catch (error) {
        if (isDataError(error) && !isolate) {
          isolate = true;
          continue;
        }
        isolate = false;
        const delayMs = backoffDelayMs(attempt, this.#retry);
        this.#metrics.failures.inc();
        this.#logger.warn(
          { err: error, attempt, delayMs, events: sorted.parsed.length },
          'writing purchases to PostgreSQL failed; retrying',
        );
        if (!(await this.#pause(delayMs)) || !this.#mayContinue(payload)) return undefined;
        // Throws when the group is rebalancing: the chunk is then abandoned uncommitted and
        // replayed by whichever member gets the partition.
        await payload.heartbeat();
      }
    }
  }

  async #store(sorted: Sorted): Promise<Set<string>> {
    if (sorted.parsed.length === 0 && sorted.rejected.length === 0) return new Set();
    const ids = await this.#sequelize.transaction(async (transaction) => {
      const inserted = await insertNewPurchases(
        this.#sequelize,
        sorted.parsed.map((entry) => entry.event),
        transaction,
      );
      await insertDeadLetters(this.#sequelize, sorted.rejected, transaction);
      return inserted;
    });
    return new Set(ids);
  }

  /**
   * Tries each purchase alone in a transaction that is rolled back, and moves those
   * PostgreSQL refuses as data to the dead letters. Returns how many it moved; any other
   * error (PostgreSQL down) propagates, and the whole chunk is retried.
   */
  async #setAsideUnstorable(chunk: Chunk, sorted: Sorted): Promise<number> {
    const kept: Parsed[] = [];
    let moved = 0;
    for (const entry of sorted.parsed) {
      const refusal = await this.#refusal(entry.event);
      if (refusal === undefined) {
        kept.push(entry);
        continue;
      }
      moved += 1;
      sorted.rejected.push(deadLetterOf(chunk, entry.message, 'rejected_by_database', refusal));
    }
    sorted.parsed = kept;
    return moved;
  }

  /** Why PostgreSQL refuses to store this purchase, or undefined when it would store it. */
  async #refusal(event: PurchaseEvent): Promise<string | undefined> {
    const dryRun = new Error('dry run');
    try {
      await this.#sequelize.transaction(async (transaction) => {
        await insertNewPurchases(this.#sequelize, [event], transaction);
        throw dryRun;
      });
    } catch (error) {
      if (error === dryRun) return undefined;
      if (isDataError(error)) return (error as Error).message;
      throw error;
    }
    return undefined;
  }

  #recordDeadLettered(letters: readonly DeadLetter[]): void {
    for (const letter of letters) {
      this.#metrics.deadLettered.inc({ reason: letter.reason });
      if (letter.reason !== 'rejected_by_database') this.#metrics.invalid.inc();
      this.#logger.warn(
        {
          topic: letter.topic,
          partition: letter.partition,
          offset: letter.offset,
          reason: letter.reason,
          detail: letter.detail.slice(0, 500),
        },
        'message cannot be stored as a purchase; kept in dead_letter_messages',
      );
    }
  }

  #recordPersisted(events: readonly PurchaseEvent[], inserted: ReadonlySet<string>): void {
    const fresh = events.filter((event) => inserted.has(event.purchaseId));
    // Each id is counted once even when the batch carried the same event twice.
    const purchasedAt = new Map(fresh.map((event) => [event.purchaseId, event.purchasedAt]));
    this.#metrics.recordPersisted([...purchasedAt.values()], this.#clock.now().getTime());
  }

  /** Waits, unless shutdown begins first; returns false when it did. */
  async #pause(delayMs: number): Promise<boolean> {
    try {
      await sleep(delayMs, undefined, { signal: this.#stopping.signal });
      return true;
    } catch {
      return false;
    }
  }

  #mayContinue(payload: EachBatchPayload): boolean {
    return payload.isRunning() && !payload.isStale() && !this.#stopping.signal.aborted;
  }
}
