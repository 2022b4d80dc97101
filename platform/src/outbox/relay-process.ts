import type { Server } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import { Gauge } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import { createRegistry, lastKnown } from '../observability/metrics.ts';
import { startOpsServer } from '../observability/ops-server.ts';
import { backgroundRedis } from '../redis/redis-client.ts';
import { checkRedisPersistence, registerPersistenceInfo } from '../redis/redis-persistence.ts';
import { SaleChangeFeed } from '../sales/sale-change-feed.ts';
import { saleKeys } from '../sales/sale-keys.ts';
import { SaleStore } from '../sales/sale-store.ts';
import { OutboxRelay } from './outbox-relay.ts';
import type { RelayConfig } from './relay-config.ts';

export interface RelayProcess {
  readonly opsServer: Server;
  shutdown(): Promise<void>;
}

/** Wires the relay: Redis, an idempotent Kafka producer, the change feed, metrics. */
export async function startRelayProcess(
  config: RelayConfig,
  logger: Logger,
): Promise<RelayProcess> {
  const redis = backgroundRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  redis.on('error', (error: Error) =>
    logger.warn({ err: error.message }, 'redis connection error'),
  );
  await redis.connect();
  const persistence = await checkRedisPersistence(redis, logger).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const sales = new SaleStore(redis);

  const kafka = new Kafka({
    clientId: 'flashsale-relay',
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.WARN,
  });
  // Idempotent: a retried send after a lost acknowledgement is not written twice.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();

  // Read at scrape time, but a scrape never waits on a Redis that does not answer.
  const outboxLengths = lastKnown(async () => {
    const names = await sales.names();
    const lengths = await Promise.all(names.map((name) => redis.xlen(saleKeys(name).outbox)));
    return new Map(names.map((name, index) => [name, lengths[index] ?? 0]));
  }, new Map<string, number>());
  const registry = createRegistry('relay');
  registerPersistenceInfo(registry, persistence);
  new Gauge({
    name: 'flashsale_outbox_pending',
    help: 'Purchase events in a sale outbox not yet acknowledged by Kafka',
    labelNames: ['sale'],
    registers: [registry],
    async collect() {
      const lengths = await outboxLengths();
      this.reset();
      for (const [sale, length] of lengths) this.set({ sale }, length);
    },
  });

  const relay = new OutboxRelay(redis, producer, () => sales.names(), {
    topic: config.KAFKA_TOPIC,
    consumer: config.RELAY_CONSUMER_NAME,
    batchSize: config.RELAY_BATCH_SIZE,
    claimIdleMs: config.RELAY_CLAIM_IDLE_MS,
    logger,
  });
  const feed = new SaleChangeFeed(redis);
  feed.onChange(() => relay.poke());
  await feed.start();
  relay.start();

  const opsServer = await startOpsServer(registry, () => redis.status === 'ready', {
    port: config.METRICS_PORT,
    host: config.METRICS_HOST,
  });
  const shutdown = async (): Promise<void> => {
    await relay.stop();
    await feed.stop();
    await producer.disconnect();
    await redis.quit().catch(() => redis.disconnect());
    await new Promise((resolve) => opsServer.close(resolve));
  };
  return { opsServer, shutdown };
}
