import type { Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { Sequelize } from 'sequelize';
import type { Logger } from '@flashsale/runtime';
import { startOpsServer, redisClient, type RedisClient } from '@flashsale/runtime';
import { requireMigratedSchema, SchemaNotMigratedError, SaleStore } from '@flashsale/platform';
import { CapacityController } from './capacity.ts';
import { ServerClock, systemClock, type Clock } from './clock.ts';
import type { OperatorConfig } from './config.ts';
import { FlashSaleController } from './controller.ts';
import { EventRecorder } from './events.ts';
import { fenceDatabase, fenceRedis, guardedKubeConfig, type WriteFence } from './fencing.ts';
import { FlashSaleApi } from './flash-sale-api.ts';
import { FleetScaler, type FleetTarget } from './fleet-scaler.ts';
import { LeaderElector } from './leader-election.ts';
import {
  createOperatorMetrics,
  createOperatorRegistry,
  type OperatorMetrics,
} from './operator-metrics.ts';
import { FlashSaleReconciler } from './reconciler.ts';

export interface OperatorDeps {
  readonly logger: Logger;
  /** Defaults to KUBECONFIG when set, in-cluster otherwise. */
  readonly kubeConfig?: KubeConfig;
  readonly registry?: Registry;
  readonly clock?: Clock;
  /**
   * Leadership was lost without a shutdown (the lease could not be renewed in time); writes
   * have already stopped. The command exits here so that it restarts clean; without this the
   * replica stays up as a standby and rebuilds its cache if it leads again.
   */
  readonly onLostLeadership?: () => void;
}

export interface RunningOperator {
  readonly identity: string;
  readonly metrics: OperatorMetrics;
  readonly opsServer: Server;
  readonly isLeader: () => boolean;
  /** Graceful: stop reconciling, hand the lease back, close connections. */
  shutdown(): Promise<void>;
  /** Like a crash: stop everything but keep the lease, which then has to expire. */
  kill(): Promise<void>;
}

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromCluster();
  return kubeConfig;
}

function fleetTarget(config: OperatorConfig): FleetTarget | undefined {
  const namespace = config.FLEET_NAMESPACE ?? config.OPERATOR_NAMESPACE;
  // An HPA owns the replica count when there is one; the Deployment's replicas otherwise.
  if (config.FLEET_HPA) return { kind: 'hpa', namespace, name: config.FLEET_HPA };
  if (config.FLEET_DEPLOYMENT)
    return { kind: 'deployment', namespace, name: config.FLEET_DEPLOYMENT };
  return undefined;
}

/**
 * Storage clients whose every call ends: a command or query that gets no answer fails after
 * its timeout, and one waiting for a connection is retried a bounded number of times.
 * An outage then fails reconciles (retried with backoff) instead of hanging the workers.
 */
function storageClients(config: OperatorConfig): { redis: RedisClient; database: Sequelize } {
  const timeoutMs = config.DATABASE_QUERY_TIMEOUT_MS;
  const redis = redisClient(config.REDIS_URL, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: config.REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    clusterRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    lazyConnect: true,
  });
  const database = new Sequelize(config.DATABASE_URL, {
    logging: false,
    pool: { max: config.DATABASE_POOL_MAX, acquire: timeoutMs },
    retry: { max: 2 },
    dialectOptions: {
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      statement_timeout: timeoutMs,
    },
  });
  return { redis, database };
}

async function connectStorage(config: OperatorConfig, logger: Logger) {
  const { redis, database } = storageClients(config);
  redis.on('error', (error: Error) =>
    logger.warn({ err: error.message }, 'redis connection error'),
  );
  try {
    await redis.connect();
    // `flashsale migrate` brings the schema up to date before the operator starts.
    await requireMigratedSchema(database);
  } catch (error) {
    redis.disconnect();
    await database.close();
    // Its message says what to do (run `flashsale migrate`): not buried under a cause.
    if (error instanceof SchemaNotMigratedError) throw error;
    throw new Error('connecting the operator to Redis and PostgreSQL failed', { cause: error });
  }
  return { redis, database };
}

/**
 * Starts one operator replica: storage connections, the ops server and leader election.
 * Only while it leads does it watch FlashSales and reconcile them.
 */
export async function startOperator(
  config: OperatorConfig,
  deps: OperatorDeps,
): Promise<RunningOperator> {
  const { logger } = deps;
  const clock = deps.clock ?? systemClock;
  const serverClock = new ServerClock(clock);
  const baseKubeConfig = deps.kubeConfig ?? loadKubeConfig(config.KUBECONFIG);
  const metrics = createOperatorMetrics(deps.registry ?? createOperatorRegistry());
  const { redis, database } = await connectStorage(config, logger);
  // Every write to shared state goes through the lease's fence (see docs/operator.md).
  const election: { elector?: LeaderElector } = {};
  const fence: WriteFence = {
    mayWrite: () => election.elector?.mayWrite() ?? false,
    onRefused: () => metrics.writesRefused.inc(),
  };
  fenceRedis(redis, fence);
  fenceDatabase(database, fence);
  const kubeConfig = guardedKubeConfig(baseKubeConfig, config.KUBE_REQUEST_TIMEOUT_MS, fence);
  const api = new FlashSaleApi(kubeConfig, config.WATCH_NAMESPACE);
  const controller = new FlashSaleController({
    kubeConfig,
    api,
    metrics,
    logger,
    concurrency: config.RECONCILE_CONCURRENCY,
    resyncMs: config.RESYNC_INTERVAL_MS,
    deadlineMs: config.RECONCILE_DEADLINE_MS,
    clock,
    serverClock,
  });
  const target = fleetTarget(config);
  const capacity = new CapacityController(
    target ? new FleetScaler(kubeConfig, target) : undefined,
    () => controller.capacityRequests(),
    logger,
  );
  const reconciler = new FlashSaleReconciler({
    api,
    cached: (key) => controller.informer.get(key),
    store: new SaleStore(redis),
    database,
    events: new EventRecorder(kubeConfig, config.OPERATOR_IDENTITY, logger, clock),
    capacity,
    activeRefreshMs: config.ACTIVE_REFRESH_MS,
    logger,
    serverClock,
    metrics,
  });
  controller.use(reconciler, capacity);

  const leaseTimeoutMs = Math.min(
    config.KUBE_REQUEST_TIMEOUT_MS,
    Math.floor(config.LEASE_RENEW_DEADLINE_MS / 2),
  );
  const leader = new LeaderElector(guardedKubeConfig(baseKubeConfig, leaseTimeoutMs), {
    namespace: config.OPERATOR_NAMESPACE,
    name: config.LEASE_NAME,
    identity: config.OPERATOR_IDENTITY,
    leaseDurationMs: config.LEASE_DURATION_MS,
    renewDeadlineMs: config.LEASE_RENEW_DEADLINE_MS,
    retryPeriodMs: config.LEASE_RETRY_PERIOD_MS,
    requestTimeoutMs: leaseTimeoutMs,
    clock,
    logger,
    onStartedLeading: () => {
      metrics.leader.set(1);
      reconciler.startTerm();
      controller.start();
    },
    ...(deps.onLostLeadership ? { onLostLeadership: deps.onLostLeadership } : {}),
    onStoppedLeading: async () => {
      metrics.leader.set(0);
      await controller.stop();
    },
  });
  election.elector = leader;
  metrics.leader.set(0);
  let stopping = false;
  // A standby is ready (it is healthy and waiting); a leader once its cache has synced.
  const isReady = (): boolean =>
    !stopping && redis.status === 'ready' && (!leader.isLeader || controller.synced);
  // Wedged: a reconcile still running a whole deadline after it overran it, or an election
  // loop that stopped turning. Every call has a timeout, so neither happens while working.
  const isAlive = (): boolean =>
    controller.stalledForMs < config.RECONCILE_DEADLINE_MS &&
    leader.stalledForMs < config.LEASE_RENEW_DEADLINE_MS;
  const opsServer = await startOpsServer(
    metrics.registry,
    isReady,
    { port: config.METRICS_PORT, host: config.METRICS_HOST },
    isAlive,
  );
  leader.start();

  const close = async (release: boolean): Promise<void> => {
    stopping = true;
    await leader.stop(release);
    await controller.stop();
    await redis.quit().catch(() => redis.disconnect());
    await database.close();
    await new Promise((resolve) => opsServer.close(resolve));
  };
  return {
    identity: config.OPERATOR_IDENTITY,
    metrics,
    opsServer,
    isLeader: () => leader.isLeader,
    shutdown: () => close(true),
    kill: () => close(false),
  };
}
