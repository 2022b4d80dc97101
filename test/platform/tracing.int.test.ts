import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { Registry } from 'prom-client';
import { Sequelize } from 'sequelize';
import {
  startApiServer,
  type ApiServer,
  apiConfigSchema,
  KafkaLink,
  OutboxRelay,
  migrate,
  PurchasePersister,
  persistedUnits,
  SaleStore,
} from '@flashsale/platform';
import { createLogger, startTracing, type Tracing } from '@flashsale/runtime';
import {
  eventually,
  isolatedNames,
  IsolatedPlatform,
  freePort,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';

/**
 * One purchase makes one trace: the API's server span, its Redis decision, the relay's
 * publish (continued from the traceparent stored in the outbox) and the persister's write
 * (continued from the Kafka header). The three parts run in this process with an in-memory
 * exporter, talking through the real Redis, Kafka and PostgreSQL.
 */
describe('tracing across the purchase path', () => {
  const exporter = new InMemorySpanExporter();
  const logger = createLogger('test', 'silent');
  let tracing: Tracing;
  let platform: IsolatedPlatform;
  let api: ApiServer;
  let relayRedis: Redis;
  let relay: OutboxRelay;
  let persister: PurchasePersister;
  let database: Sequelize;
  let link: KafkaLink;

  beforeAll(async () => {
    tracing = startTracing('flashsale-test', exporter);
    const stack = await useStack();
    platform = new IsolatedPlatform(isolatedNames('tracing'), stack);
    await platform.prepare();
    const env = platform.env;
    const port = String(await freePort());
    api = await startApiServer(
      apiConfigSchema.parse({ ...env, PORT: port, HOST: '127.0.0.1' }),
      logger,
    );
    relayRedis = new Redis(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    const kafka = new Kafka({
      brokers: stack.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    link = new KafkaLink({
      brokers: stack.KAFKA_BROKERS.split(','),
      topic: platform.names.kafkaTopic,
      sendTimeoutMs: 10_000,
      logger,
    });
    const sales = new SaleStore(relayRedis);
    relay = new OutboxRelay(relayRedis, link, () => sales.names(), {
      topic: platform.names.kafkaTopic,
      consumer: 'tracing-test',
      batchSize: 100,
      claimIdleMs: 5000,
      maxAttempts: 5,
      maxBatchBytes: 1_048_576,
      logger,
    });
    database = new Sequelize(platform.database, { logging: false });
    await migrate(database);
    persister = new PurchasePersister({
      kafka,
      sequelize: database,
      registry: new Registry(),
      logger,
      topic: platform.names.kafkaTopic,
      groupId: `${platform.names.id}-group`,
    });
    await persister.start();
    relay.start();
    await sales.configure({
      name: 'traced',
      sku: 'SKU',
      title: 'Traced',
      priceCents: 1,
      stock: 5,
      perUserLimit: 1,
      startsAt: new Date(Date.now() - 1000),
      endsAt: new Date(Date.now() + 600_000),
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await relay.stop();
    await persister.stop();
    await link.close();
    await api.shutdown();
    relayRedis.disconnect();
    await database.close();
    await tracing.shutdown();
    await platform.cleanUp();
  }, 60_000);

  it('joins the API, relay and persister spans of one purchase into one trace', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('tracer')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(platform.secret));
    const response = await fetch(`http://127.0.0.1:${api.port}/api/sales/traced/purchases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(201);
    await eventually('the purchase to be persisted', async () =>
      (await persistedUnits(database, 'traced')) === 1 ? true : undefined,
    );

    const spans = await eventually('the persist span', () => {
      const finished = exporter.getFinishedSpans();
      return Promise.resolve(
        finished.some((span) => span.name.endsWith(' persist')) ? finished : undefined,
      );
    });
    const server = spans.find((span) => span.name === 'POST /api/sales/:sale/purchases');
    const trace = server?.spanContext().traceId;
    const names = (filter: (span: ReadableSpan) => boolean): string[] =>
      spans.filter(filter).map((span) => span.name);
    expect(names((span) => span.spanContext().traceId === trace).sort()).toEqual([
      'POST /api/sales/:sale/purchases',
      'redis purchase-decision',
      `${platform.names.kafkaTopic} persist`,
      `${platform.names.kafkaTopic} publish`,
    ]);
  });
});
