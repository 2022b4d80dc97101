import type { Server } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { Sequelize } from 'sequelize';
import type { Logger } from '@flashsale/platform/observability/logger.ts';
import { createRegistry } from '@flashsale/platform/observability/metrics.ts';
import { startOpsServer } from '@flashsale/platform/observability/ops-server.ts';
import { migrate } from '@flashsale/platform/persistence/migrator.ts';
import { backgroundRedis } from '@flashsale/platform/redis/redis-client.ts';
import { SaleStore } from '@flashsale/platform/sales/sale-store.ts';
import { CapacityController } from './capacity.ts';
import type { OperatorConfig } from './config.ts';
import { FlashSaleController } from './controller.ts';
import { EventRecorder } from './events.ts';
import { FlashSaleApi } from './flash-sale-api.ts';
import { FleetScaler, type FleetTarget } from './fleet-scaler.ts';
import { LeaderElector } from './leader-election.ts';
import { createOperatorMetrics, type OperatorMetrics } from './operator-metrics.ts';
import { FlashSaleReconciler } from './reconciler.ts';

export interface OperatorDeps {
  readonly logger: Logger;
  /** Defaults to KUBECONFIG when set, in-cluster otherwise. */
  readonly kubeConfig?: KubeConfig;
  readonly registry?: Registry;
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

async function connectStorage(config: OperatorConfig, logger: Logger) {
  const redis = backgroundRedis(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  redis.on('error', (error: Error) =>
    logger.warn({ err: error.message }, 'redis connection error'),
  );
  const database = new Sequelize(config.DATABASE_URL, {
    logging: false,
    pool: { max: config.DATABASE_POOL_MAX },
  });
  try {
    await redis.connect();
    await migrate(database);
  } catch (error) {
    redis.disconnect();
    await database.close();
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
  const kubeConfig = deps.kubeConfig ?? loadKubeConfig(config.KUBECONFIG);
  const metrics = createOperatorMetrics(deps.registry ?? createRegistry('operator'));
  const { redis, database } = await connectStorage(config, logger);
  const api = new FlashSaleApi(kubeConfig, config.WATCH_NAMESPACE);
  const controller = new FlashSaleController({
    kubeConfig,
    api,
    metrics,
    logger,
    concurrency: config.RECONCILE_CONCURRENCY,
    resyncMs: config.RESYNC_INTERVAL_MS,
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
    events: new EventRecorder(kubeConfig, config.OPERATOR_IDENTITY, logger),
    capacity,
    activeRefreshMs: config.ACTIVE_REFRESH_MS,
    logger,
  });
  controller.use(reconciler, capacity);

  const elector = new LeaderElector(kubeConfig, {
    namespace: config.OPERATOR_NAMESPACE,
    name: config.LEASE_NAME,
    identity: config.OPERATOR_IDENTITY,
    leaseDurationMs: config.LEASE_DURATION_MS,
    renewDeadlineMs: config.LEASE_RENEW_DEADLINE_MS,
    retryPeriodMs: config.LEASE_RETRY_PERIOD_MS,
    logger,
    onStartedLeading: () => {
      metrics.leader.set(1);
      controller.start();
    },
    onStoppedLeading: async () => {
      metrics.leader.set(0);
      await controller.stop();
    },
  });
  metrics.leader.set(0);
  let stopping = false;
  // A standby is ready (it is healthy and waiting); a leader once its cache has synced.
  const isReady = (): boolean =>
    !stopping && redis.status === 'ready' && (!elector.isLeader || controller.synced);
  const opsServer = await startOpsServer(metrics.registry, isReady, {
    port: config.METRICS_PORT,
    host: config.METRICS_HOST,
  });
  elector.start();

  const close = async (release: boolean): Promise<void> => {
    stopping = true;
    await elector.stop(release);
    await controller.stop();
    await redis.quit().catch(() => redis.disconnect());
    await database.close();
    await new Promise((resolve) => opsServer.close(resolve));
  };
  return {
    identity: config.OPERATOR_IDENTITY,
    metrics,
    opsServer,
    isLeader: () => elector.isLeader,
    shutdown: () => close(true),
    kill: () => close(false),
  };
}
