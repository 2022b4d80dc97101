import {
  Kafka,
  logLevel,
  type KafkaConfig,
  type Message,
  type Producer,
  type logCreator,
} from 'kafkajs';
import kafkajs from 'kafkajs';
import type { Logger } from '@flashsale/runtime';

// kafkajs's CommonJS exports do not all show as ES named exports.
const { ConfigResourceTypes } = kafkajs;

/** Kafka refused these records themselves (too large, malformed): sending them again cannot help. */
export class RecordsRejectedError extends Error {
  constructor(
    readonly type: string,
    options: ErrorOptions,
  ) {
    super(`Kafka rejected the records: ${type}`, options);
    this.name = 'RecordsRejectedError';
  }
}

/** Kafka did not take the batch (down, unreachable, too slow): the same batch is tried again later. */
export class KafkaUnavailableError extends Error {
  constructor(message: string, options: ErrorOptions) {
    super(message, options);
    this.name = 'KafkaUnavailableError';
  }
}

/** Error types of a produce request that are about the records, not about the broker. */
const recordErrors = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

/** The record error type anywhere in an error's cause chain. */
export function recordErrorType(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth += 1) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && recordErrors.has(type)) return type;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Resolves as `work` does, or rejects once `ms` have passed; `work` is never left unhandled. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * kafkajs warns on every producer created with bounded retries. Here retries are bounded on
 * purpose (a send must fail in bounded time) and a producer is replaced after every failure,
 * so the warning would only repeat during an outage.
 */
function relayLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      if (message.startsWith('Limiting retries for the idempotent producer')) return;
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
    };
}

export interface KafkaLinkOptions {
  readonly brokers: string[];
  readonly topic: string;
  /** Longest a send (or a connection, or a probe) may take before it counts as failed. */
  readonly sendTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * The relay's connection to Kafka: an idempotent producer whose every send either succeeds
 * or fails within `sendTimeoutMs`, and whether Kafka was reachable the last time it was
 * tried (`up`). After a failed send the producer is thrown away and the next send starts a
 * fresh one: an idempotent producer that lost track of a batch could otherwise have its next,
 * different batch taken for a duplicate of the lost one.
 */
export class KafkaLink {
  readonly #kafka: Kafka;
  readonly #options: KafkaLinkOptions;
  #producer: Promise<Producer> | undefined;
  #up: boolean | undefined;

  constructor(options: KafkaLinkOptions) {
    this.#options = options;
    const config: KafkaConfig = {
      clientId: 'flashsale-relay',
      brokers: options.brokers,
      connectionTimeout: Math.min(3_000, options.sendTimeoutMs),
      requestTimeout: options.sendTimeoutMs,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
      logLevel: logLevel.WARN,
      logCreator: relayLogCreator(options.logger),
    };
    this.#kafka = new Kafka(config);
  }

  /** True after a successful send or probe, false after a failed one, undefined before either. */
  get up(): boolean | undefined {
    return this.#up;
  }

  async send(messages: Message[]): Promise<void> {
    const { topic, sendTimeoutMs } = this.#options;
    try {
      const producer = await withTimeout(this.#connected(), sendTimeoutMs, 'connecting to Kafka');
      await withTimeout(
        producer.send({ topic, acks: -1, messages }),
        sendTimeoutMs,
        `sending ${messages.length} messages to ${topic}`,
      );
      this.#setUp(true);
    } catch (error) {
      void this.#discardProducer();
      const rejected = recordErrorType(error);
      if (rejected) throw new RecordsRejectedError(rejected, { cause: error });
      this.#setUp(false);
      throw new KafkaUnavailableError(`Kafka did not take the batch for ${topic}`, {
        cause: error,
      });
    }
  }

  /** Asks the cluster for the topic's metadata; records and returns whether it answered. */
  async probe(): Promise<boolean> {
    const admin = this.#kafka.admin();
    try {
      await withTimeout(
        admin.connect().then(() => admin.fetchTopicMetadata({ topics: [this.#options.topic] })),
        this.#options.sendTimeoutMs,
        'asking Kafka for the topic metadata',
      );
      this.#setUp(true);
    } catch (error) {
      this.#options.logger.debug({ err: error }, 'Kafka probe failed');
      this.#setUp(false);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return this.#up === true;
  }

  /** The topic's `max.message.bytes` (the broker's limit on one record batch), if Kafka tells. */
  async topicMaxMessageBytes(): Promise<number | undefined> {
    const admin = this.#kafka.admin();
    try {
      const described = await withTimeout(
        admin.connect().then(() =>
          admin.describeConfigs({
            includeSynonyms: false,
            resources: [
              {
                type: ConfigResourceTypes.TOPIC,
                name: this.#options.topic,
                configNames: ['max.message.bytes'],
              },
            ],
          }),
        ),
        this.#options.sendTimeoutMs,
        'reading the topic configuration',
      );
      const value = described.resources[0]?.configEntries[0]?.configValue;
      const bytes = Number(value);
      return Number.isInteger(bytes) && bytes > 0 ? bytes : undefined;
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'could not read max.message.bytes of the topic');
      return undefined;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await withTimeout(
      this.#discardProducer(),
      this.#options.sendTimeoutMs,
      'closing the producer',
    ).catch(() => undefined);
  }

  #connected(): Promise<Producer> {
    this.#producer ??= this.#connect();
    return this.#producer;
  }

  async #connect(): Promise<Producer> {
    const producer = this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    try {
      await producer.connect();
      return producer;
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Forgets the producer at once; its disconnect may finish later (a connect can still be under way). */
  async #discardProducer(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    if (!producer) return;
    await producer.then((p) => p.disconnect()).catch(() => undefined);
  }

  #setUp(up: boolean): void {
    if (up === this.#up) return;
    const first = this.#up === undefined;
    this.#up = up;
    if (up && !first) this.#options.logger.warn('Kafka is reachable again; relaying resumes');
    if (!up) {
      this.#options.logger.error(
        { topic: this.#options.topic },
        'Kafka is unreachable: purchases wait in the Redis outboxes (flashsale_relay_kafka_up 0)',
      );
    }
  }
}
