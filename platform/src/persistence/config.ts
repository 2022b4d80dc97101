import { z } from 'zod';
import { hostPortList, loadEnv, portNumber, urlWith } from '@flashsale/runtime';
import { defaultPersisterGroupId, defaultPurchasesTopic } from './persister.ts';

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** What `persister migrate` needs: the database only. */
export const databaseEnvSchema = z.object({
  DATABASE_URL: urlWith('postgres:', 'postgresql:'),
  /** Connections in the Sequelize pool; migrations need at least two. */
  DATABASE_POOL_MAX: positiveInt(100).min(2).default(10),
  LOG_LEVEL: logLevel.default('info'),
});

export const persisterEnvSchema = databaseEnvSchema.extend({
  KAFKA_BROKERS: hostPortList,
  KAFKA_TOPIC: z.string().min(1).max(249).default(defaultPurchasesTopic),
  KAFKA_CLIENT_ID: z.string().min(1).default('flashsale-persister'),
  PERSISTER_GROUP_ID: z.string().min(1).default(defaultPersisterGroupId),
  /** Most messages per PostgreSQL transaction. */
  PERSISTER_BATCH_MAX: positiveInt(10_000).default(1000),
  /** Partitions persisted in parallel, each its own transaction and pooled connection. */
  PERSISTER_CONCURRENCY: positiveInt(64).default(1),
  /** Port of /metrics, /healthz and /readyz (9464: the usual Prometheus exporter port). */
  METRICS_PORT: portNumber.default(9464),
});

export type DatabaseConfig = z.infer<typeof databaseEnvSchema>;
export type PersisterConfig = z.infer<typeof persisterEnvSchema>;

export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return loadEnv(databaseEnvSchema, env);
}

export function loadPersisterConfig(env: NodeJS.ProcessEnv = process.env): PersisterConfig {
  return loadEnv(persisterEnvSchema, env);
}
