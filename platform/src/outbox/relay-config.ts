import { hostname } from 'node:os';
import { z } from 'zod';
import { hostPortList, loadEnv, portNumber, redisUrl, purchasesTopic } from '@flashsale/runtime';

export const relayConfigSchema = z.object({
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: z.string().max(64).default(''),
  KAFKA_BROKERS: hostPortList,
  KAFKA_TOPIC: z.string().min(1).max(249).default(purchasesTopic),
  RELAY_CONSUMER_NAME: z.string().min(1).default(`${hostname()}-${process.pid}`),
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  RELAY_CLAIM_IDLE_MS: z.coerce.number().int().min(1000).default(15_000),
  /** Failed attempts at one outbox entry before it goes to the dead-letter stream. */
  RELAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(5),
  /**
   * Longest a send (or a connection) to Kafka may take before it counts as failed, and
   * Kafka as down. A send slower than RELAY_CLAIM_IDLE_MS may see its entries claimed and
   * sent again by another relay: a duplicate, which the persister ignores.
   */
  RELAY_SEND_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(10_000),
  /** How often Kafka is probed, so an outage shows while there is nothing to send. */
  RELAY_KAFKA_PROBE_MS: z.coerce.number().int().min(500).max(300_000).default(5_000),
  /** Largest record batch; unset: the topic's max.message.bytes, or 1 MiB if unreadable. */
  RELAY_MAX_MESSAGE_BYTES: z.coerce.number().int().min(4096).max(1_073_741_824).optional(),
  METRICS_PORT: portNumber.default(9465),
  METRICS_HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RelayConfig = z.infer<typeof relayConfigSchema>;

/** Kafka's default `max.message.bytes` (1 MiB plus a record batch header), rounded down. */
export const defaultMaxMessageBytes = 1_048_576;

export const loadRelayConfig = (env: NodeJS.ProcessEnv = process.env): RelayConfig =>
  loadEnv(relayConfigSchema, env);
