import type { Server } from 'node:http';
import { createKafkaClient, startOpsServer } from '@flashsale/runtime';
import type { Logger } from '@flashsale/runtime';
import type { PersisterConfig } from './config.ts';
import { connectDatabase, databaseAnswers } from './database.ts';
import { requireMigratedSchema } from './migrator.ts';
import { createPersisterRegistry } from './persist-metrics.ts';
import { PurchasePersister } from './persister.ts';

export interface PersisterProcess {
  readonly opsServer: Server;
  shutdown(): Promise<void>;
}

/**
 * Wires the persister: PostgreSQL (whose schema `migrate` must have brought up to date), the
 * Kafka consumer, metrics and readiness. `onCrashed` is called when the consumer has crashed
 * for good; the process then has to stop.
 */
export async function startPersisterProcess(
  config: PersisterConfig,
  logger: Logger,
  onCrashed: (error: Error) => void,
): Promise<PersisterProcess> {
  const sequelize = connectDatabase(config);
  await requireMigratedSchema(sequelize).catch(async (error: unknown) => {
    await sequelize.close();
    throw error;
  });
  const registry = createPersisterRegistry();
  const kafka = createKafkaClient({
    clientId: config.KAFKA_CLIENT_ID,
    brokers: config.KAFKA_BROKERS,
    logger,
  });
  let stopping = false;
  const persister = new PurchasePersister({
    kafka,
    sequelize,
    registry,
    logger,
    topic: config.KAFKA_TOPIC,
    groupId: config.PERSISTER_GROUP_ID,
    batchMax: config.PERSISTER_BATCH_MAX,
    partitionsConsumedConcurrently: config.PERSISTER_CONCURRENCY,
    onFatalError: onCrashed,
  });
  // Ready means persisting works: the consumer is in its group and PostgreSQL answers.
  const opsServer = await startOpsServer(
    registry,
    async () => !stopping && persister.isReady() && (await databaseAnswers(sequelize)),
    { port: config.METRICS_PORT, host: config.METRICS_HOST },
  );
  await persister.start();
  logger.info(
    { topic: config.KAFKA_TOPIC, groupId: config.PERSISTER_GROUP_ID, port: config.METRICS_PORT },
    'persister started',
  );
  // The persister serves no traffic, so there is no readiness period to wait out: it stops
  // consuming at once, finishing the chunk in flight, then releases its connections.
  const shutdown = async (): Promise<void> => {
    stopping = true;
    await persister.stop();
    await sequelize.close();
    opsServer.close();
    opsServer.closeAllConnections();
  };
  return { opsServer, shutdown };
}
