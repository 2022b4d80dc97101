import { Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import type { Logger } from '../observability/logger.ts';

/**
 * kafkajs lines that only repeat what the platform does on purpose. The relay bounds the
 * retries of its idempotent producer (a send must fail in bounded time) and replaces the
 * producer after every failure, so this warning would come again and again during an outage.
 */
const expectedWarnings = ['Limiting retries for the idempotent producer'];

/**
 * Sends kafkajs's own log lines through pino, with `component: "kafkajs"`, so a process writes
 * one JSON format whatever library logs.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      if (expectedWarnings.some((expected) => message.startsWith(expected))) return;
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}

/** What a process chooses about its Kafka client; the rest is the platform's. */
export interface KafkaClientOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /** How long a connection may take (kafkajs's default otherwise: 1 s). */
  readonly connectionTimeout?: number;
  /** How long a request may take (kafkajs's default otherwise: 30 s). */
  readonly requestTimeout?: number;
  readonly retry?: KafkaConfig['retry'];
}

/**
 * The one way the platform builds a kafkajs client: its log lines from WARN up go through
 * pino (docs/data-path.md, "The Kafka adapter").
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const { clientId, brokers, logger, connectionTimeout, requestTimeout, retry } = options;
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    ...(connectionTimeout === undefined ? {} : { connectionTimeout }),
    ...(requestTimeout === undefined ? {} : { requestTimeout }),
    ...(retry === undefined ? {} : { retry }),
  });
}
