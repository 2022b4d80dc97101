import { hostname } from 'node:os';
import { z } from 'zod';
import { hostPortList, loadEnv, portNumber, urlWith } from '../config/env.ts';

export const relayConfigSchema = z.object({
  REDIS_URL: urlWith('redis:', 'rediss:'),
  REDIS_KEY_PREFIX: z.string().max(64).default(''),
  KAFKA_BROKERS: hostPortList,
  KAFKA_TOPIC: z.string().min(1).default('flashsale.purchases'),
  RELAY_CONSUMER_NAME: z.string().min(1).default(`${hostname()}-${process.pid}`),
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  RELAY_CLAIM_IDLE_MS: z.coerce.number().int().min(1000).default(15_000),
  METRICS_PORT: portNumber.default(9465),
  METRICS_HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type RelayConfig = z.infer<typeof relayConfigSchema>;

export const loadRelayConfig = (env: NodeJS.ProcessEnv = process.env): RelayConfig =>
  loadEnv(relayConfigSchema, env);
