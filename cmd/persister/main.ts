import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { QueryTypes, Sequelize } from 'sequelize';
import {
  loadDatabaseConfig,
  loadPersisterConfig,
  type DatabaseConfig,
  migrate,
  PurchasePersister,
} from '@flashsale/platform';
import { createLogger, startTracing, traceLogFields, startOpsServer } from '@flashsale/runtime';
import { kafkaLogCreator } from './kafka-log.ts';

/** Kubernetes sends SIGKILL after terminationGracePeriodSeconds (30 s by default). */
const shutdownDeadlineMs = 20_000;

function connectDatabase(config: DatabaseConfig): Sequelize {
  return new Sequelize(config.DATABASE_URL, {
    dialect: 'postgres',
    logging: false,
    pool: { max: config.DATABASE_POOL_MAX, acquire: 10_000 },
    // A database that stops answering must fail the attempt, so the retry loop (and its
    // heartbeats) keep running instead of waiting on a dead socket.
    dialectOptions: { connectionTimeoutMillis: 5_000, query_timeout: 30_000 },
  });
}

async function migrateOnly(logger: Logger): Promise<void> {
  const config = loadDatabaseConfig();
  logger.level = config.LOG_LEVEL;
  const sequelize = connectDatabase(config);
  try {
    const ran = await migrate(sequelize);
    logger.info({ migrations: ran }, ran.length ? 'migrations applied' : 'schema is up to date');
  } finally {
    await sequelize.close();
  }
}

async function databaseAnswers(sequelize: Sequelize): Promise<boolean> {
  await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
  return true;
}

async function run(logger: Logger): Promise<void> {
  const config = loadPersisterConfig();
  logger.level = config.LOG_LEVEL;
  const sequelize = connectDatabase(config);
  const ran = await migrate(sequelize);
  logger.info({ migrations: ran }, 'schema is up to date');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kafka = new Kafka({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
  let shuttingDown = false;
  const persister = new PurchasePersister({
    kafka,
    sequelize,
    registry,
    logger,
    topic: config.KAFKA_TOPIC,
    groupId: config.PERSISTER_GROUP_ID,
    batchMax: config.PERSISTER_BATCH_MAX,
    partitionsConsumedConcurrently: config.PERSISTER_CONCURRENCY,
    onFatalError: () => void shutdown('consumer crashed', 1),
  });
  const server = await startOpsServer(
    registry,
    async () => !shuttingDown && persister.isReady() && (await databaseAnswers(sequelize)),
    // All interfaces, as before: Prometheus and the kubelet reach it from outside the pod.
    { port: config.METRICS_PORT, host: '0.0.0.0' },
  );
  await persister.start();
  logger.info(
    { topic: config.KAFKA_TOPIC, groupId: config.PERSISTER_GROUP_ID, port: config.METRICS_PORT },
    'persister started',
  );

  // The persister serves no traffic, so there is no readiness period to wait out: it stops
  // consuming at once, finishing the chunk in flight, then releases its connections.
  async function shutdown(reason: string, exitCode: number): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ reason }, 'shutting down');
    setTimeout(() => {
      logger.error({ deadlineMs: shutdownDeadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, shutdownDeadlineMs).unref();
    try {
      await persister.stop();
      await sequelize.close();
      await tracing.shutdown();
      server.close();
      server.closeAllConnections();
      logger.info('stopped');
      process.exit(exitCode);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
}

const tracing = startTracing('flashsale-persister');

async function main(): Promise<void> {
  // The level is set once LOG_LEVEL has been validated with the rest of the configuration.
  const logger = createLogger('persister', 'info', traceLogFields);
  const [command, ...rest] = process.argv.slice(2);
  try {
    if (command === 'migrate' && rest.length === 0) {
      await migrateOnly(logger);
      return;
    }
    if (command !== undefined) {
      logger.error({ argv: process.argv.slice(2) }, 'usage: persister [migrate]');
      process.exitCode = 2;
      return;
    }
    await run(logger);
  } catch (error) {
    logger.fatal({ err: error }, 'persister failed');
    // Whatever was opened before the failure (pool, sockets) must not keep the process alive.
    process.exit(1);
  }
}

await main();
