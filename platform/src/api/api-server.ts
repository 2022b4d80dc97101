import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiMetrics } from './api-metrics.ts';
import {
  createRegistry,
  lastKnown,
  requestPathRedis,
  checkRedisPersistence,
  registerPersistenceInfo,
  type RedisClient,
} from '@flashsale/runtime';
import { unknownSale } from '../observability/sale-labels.ts';
import type { Logger } from '@flashsale/runtime';
import { registerSaleConfigMetrics } from '../observability/sale-config-metrics.ts';
import { PurchaseDecider } from '../purchases/purchase-decider.ts';
import { SaleAnswerCache } from '../purchases/sale-answer-cache.ts';
import { SaleChangeFeed } from '../sales/sale-change-feed.ts';
import { SaleStore } from '../sales/sale-store.ts';
import { createApp } from './app.ts';
import { createBearerVerifier } from './auth.ts';
import { answerUnparsedRequests } from './client-errors.ts';
import { memoryAnswers } from './memory-answers.ts';
import type { ApiConfig } from './config.ts';
import { SaleEventsHub } from './sale-events-hub.ts';

/** A running API process: its HTTP server and everything it holds open. */
export interface ApiServer {
  readonly server: Server;
  readonly port: number;
  /** SIGTERM behaviour: not ready → wait → stop accepting → drain → close clients. */
  shutdown(): Promise<void>;
}

/** How long an answer from memory may lag Redis at most, unless the change feed clears it first. */
export const saleAnswerTtlMs = 2000;

export interface ApiServerOptions {
  /** Defaults to `saleAnswerTtlMs`; a spec lengthens it to show the change feed alone clears it. */
  readonly saleAnswerTtlMs?: number;
}

export async function startApiServer(
  config: ApiConfig,
  logger: Logger,
  options: ApiServerOptions = {},
): Promise<ApiServer> {
  const redis: RedisClient = requestPathRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  redis.on('error', (error: Error) =>
    logger.warn({ err: error.message }, 'redis connection error'),
  );
  await redis.connect();
  const persistence = await checkRedisPersistence(redis, logger).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const sales = new SaleStore(redis);
  const saleAnswers = new SaleAnswerCache({
    ttlMs: options.saleAnswerTtlMs ?? saleAnswerTtlMs,
    maxSales: 10_000,
  });
  const feed = new SaleChangeFeed(redis, (error) =>
    logger.warn({ err: error.message }, 'redis change feed connection error'),
  );
  const hub = new SaleEventsHub(
    (name) => sales.read(name),
    { tickMs: 250, heartbeatMs: 5000 },
    (error) => logger.warn({ err: error }, 'sale event refresh failed'),
  );
  let draining = false;
  const metrics = createApiMetrics(createRegistry('api'), async () => {
    const all = await sales.list();
    return new Map(all.map((sale) => [sale.name, sale.remaining]));
  });
  const refreshSaleLabels = (): void =>
    void metrics.saleLabels
      .refresh(() => sales.names())
      .catch((error: unknown) => logger.warn({ err: error }, 'sale label refresh failed'));
  feed.onChange((sale) => {
    saleAnswers.forget(sale);
    hub.markChanged(sale);
    // Purchases publish changes too: only a name not yet known (a new sale) costs a read.
    if (metrics.saleLabels.label(sale) === unknownSale) refreshSaleLabels();
  });
  await feed.start();
  // Labels are best effort: a Redis that refuses reads at start (MASTERDOWN, CLUSTERDOWN)
  // must not keep the API from answering 503s; the next change refreshes them.
  await metrics.saleLabels
    .refresh(() => sales.names())
    .catch((error: unknown) => logger.warn({ err: error }, 'sale label refresh failed'));
  hub.start();
  registerPersistenceInfo(metrics.registry, persistence);
  // lastKnown: one Redis read serves the three gauges, and a scrape never waits on Redis.
  registerSaleConfigMetrics(
    metrics.registry,
    lastKnown(() => sales.list(), []),
  );
  const isRedisReady = (): boolean => redis.status === 'ready';
  const app = createApp({
    sales,
    decider: new PurchaseDecider(redis, {
      rateLimit: config.PURCHASE_RATE_LIMIT,
      rateWindowMs: config.PURCHASE_RATE_WINDOW_MS,
      idempotencyTtlMs: config.IDEMPOTENCY_TTL_SECONDS * 1000,
      minReplicasAck: config.REDIS_MIN_REPLICAS_ACK,
      replicaAckTimeoutMs: config.REDIS_REPLICA_ACK_TIMEOUT_MS,
    }),
    saleAnswers,
    hub,
    verifier: createBearerVerifier(config),
    metrics,
    readiness: { isReady: () => !draining && redis.status === 'ready' },
    isRedisReady,
    devLogin: config.AUTH_DEV_LOGIN,
    corsOrigin: config.CORS_ORIGIN,
    sse: {
      maxClients: config.SSE_MAX_CLIENTS,
      maxClientsPerAddress: config.SSE_MAX_CLIENTS_PER_ADDRESS,
      maxBufferedBytes: config.SSE_MAX_BUFFERED_BYTES,
    },
  });
  app.on('error', (error: unknown) => logger.error({ err: error }, 'request failed'));

  const handle = app.callback();
  const fromMemory = memoryAnswers({
    saleAnswers,
    metrics,
    isRedisReady,
    corsOrigin: config.CORS_ORIGIN,
  });
  const server = createServer((req, res) => {
    // While draining, every answer closes its connection: a keep-alive client opens a new one
    // (to a pod still serving) instead of reusing a socket this server is about to close.
    if (draining) res.setHeader('Connection', 'close');
    if (!fromMemory(req, res)) void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  answerUnparsedRequests(server);
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;

  const shutdown = async (): Promise<void> => {
    draining = true;
    await sleep(config.SHUTDOWN_READINESS_DELAY_MS);
    hub.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // SSE streams never finish by themselves: end them so close() can complete.
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    await closed;
    await feed.stop();
    await redis.quit().catch(() => redis.disconnect());
  };
  return { server, port, shutdown };
}
