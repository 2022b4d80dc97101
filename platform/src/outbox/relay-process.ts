import type { Server } from 'node:http';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '@flashsale/runtime';
import {
  createRegistry,
  lastKnown,
  startOpsServer,
  backgroundRedis,
  checkRedisPersistence,
  registerPersistenceInfo,
  type RedisClient,
} from '@flashsale/runtime';
import { SaleChangeFeed } from '../sales/sale-change-feed.ts';
import { saleKeys } from '../sales/sale-keys.ts';
import { SaleStore } from '../sales/sale-store.ts';
import { KafkaLink } from './kafka-link.ts';
import { OutboxRelay } from './outbox-relay.ts';
import { defaultMaxMessageBytes, type RelayConfig } from './relay-config.ts';

export interface RelayProcess {
  readonly opsServer: Server;
  shutdown(): Promise<void>;
}

interface RelayMetrics {
  readonly relayed: Counter<'sale'>;
  readonly deadLettered: Counter<'sale'>;
  readonly sendFailures: Counter;
}

function relayMetrics(
  registry: Registry,
  redis: RedisClient,
  sales: SaleStore,
  link: KafkaLink,
): RelayMetrics {
  // Read at scrape time, but a scrape never waits on a Redis that does not answer.
  const outboxLengths = lastKnown(async () => {
    const names = await sales.names();
    const lengths = await Promise.all(names.map((name) => redis.xlen(saleKeys(name).outbox)));
    return new Map(names.map((name, index) => [name, lengths[index] ?? 0]));
  }, new Map<string, number>());
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
  new Gauge({
    name: 'flashsale_relay_kafka_up',
    help: '1 when the last send or probe reached Kafka, 0 when it failed (purchases wait in Redis)',
    registers: [registry],
    collect() {
      this.set(link.up === true ? 1 : 0);
    },
  });
  return {
    relayed: new Counter({
      name: 'flashsale_relay_events_total',
      help: 'Outbox entries handed to Kafka and acknowledged',
      labelNames: ['sale'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'flashsale_relay_dead_lettered_total',
      help: 'Outbox entries moved to the dead-letter stream after RELAY_MAX_ATTEMPTS failed attempts',
      labelNames: ['sale'],
      registers: [registry],
    }),
    sendFailures: new Counter({
      name: 'flashsale_relay_send_failures_total',
      help: 'Sends to Kafka that failed or timed out (the batch stays in the outbox)',
      registers: [registry],
    }),
  };
}

async function maxBatchBytes(
  config: RelayConfig,
  link: KafkaLink,
  logger: Logger,
): Promise<number> {
  if (config.RELAY_MAX_MESSAGE_BYTES !== undefined) return config.RELAY_MAX_MESSAGE_BYTES;
  const fromTopic = await link.topicMaxMessageBytes();
  const bytes = fromTopic ?? defaultMaxMessageBytes;
  logger.info(
    { maxMessageBytes: bytes, source: fromTopic ? 'topic' : 'default' },
    'record batches are kept under the topic limit',
  );
  return bytes;
}

/** Probes Kafka on a timer, so an outage shows in the gauge and /readyz with nothing to send. */
function probeKafka(link: KafkaLink, everyMs: number): () => void {
  let probing = false;
  const timer = setInterval(() => {
    if (probing) return;
    probing = true;
    void link.probe().finally(() => {
      probing = false;
    });
  }, everyMs);
  return () => clearInterval(timer);
}

/** Wires the relay: Redis, the Kafka link, the change feed, metrics and readiness. */
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

  const link = new KafkaLink({
    brokers: config.KAFKA_BROKERS,
    topic: config.KAFKA_TOPIC,
    sendTimeoutMs: config.RELAY_SEND_TIMEOUT_MS,
    logger,
  });
  const registry = createRegistry('relay');
  registerPersistenceInfo(registry, persistence);
  const metrics = relayMetrics(registry, redis, sales, link);
  const sender = {
    send: (messages: Parameters<KafkaLink['send']>[0]) =>
      link.send(messages).catch((error: unknown) => {
        metrics.sendFailures.inc();
        throw error;
      }),
  };

  await link.probe();
  const relay = new OutboxRelay(redis, sender, () => sales.names(), {
    topic: config.KAFKA_TOPIC,
    consumer: config.RELAY_CONSUMER_NAME,
    batchSize: config.RELAY_BATCH_SIZE,
    claimIdleMs: config.RELAY_CLAIM_IDLE_MS,
    maxAttempts: config.RELAY_MAX_ATTEMPTS,
    maxBatchBytes: await maxBatchBytes(config, link, logger),
    logger,
    onRelayed: (sale, count) => metrics.relayed.inc({ sale }, count),
    onDeadLettered: (sale, count) => metrics.deadLettered.inc({ sale }, count),
  });
  const feed = new SaleChangeFeed(redis, (error) =>
    logger.warn({ err: error.message }, 'redis change feed connection error'),
  );
  feed.onChange(() => relay.poke());
  await feed.start();
  relay.start();
  const stopProbing = probeKafka(link, config.RELAY_KAFKA_PROBE_MS);

  // Ready means relaying works: Redis answers and Kafka took the last send or probe.
  const opsServer = await startOpsServer(
    registry,
    () => redis.status === 'ready' && link.up === true,
    { port: config.METRICS_PORT, host: config.METRICS_HOST },
  );
  const shutdown = async (): Promise<void> => {
    stopProbing();
    await relay.stop();
    await feed.stop();
    await link.close();
    await redis.quit().catch(() => redis.disconnect());
    await new Promise((resolve) => opsServer.close(resolve));
  };
  return { opsServer, shutdown };
}
