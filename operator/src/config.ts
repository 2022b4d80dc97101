import { hostname } from 'node:os';
import { z } from 'zod';
import { loadEnv, portNumber, urlWith, redisUrl } from '@flashsale/runtime';

const milliseconds = (min: number) => z.coerce.number().int().min(min);
const optionalName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'expected a Kubernetes object name')
  .optional();

/** The operator's environment (see the README's configuration table). */
export const operatorConfigSchema = z
  .object({
    /** Path of a kubeconfig; unset means in-cluster (service account). */
    KUBECONFIG: z.string().min(1).optional(),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: z.string().max(64).default(''),
    DATABASE_URL: urlWith('postgres:', 'postgresql:'),
    /** migrate() holds one pooled connection for its lock while running on another. */
    DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(100).default(5),
    /** Where the leader-election Lease lives (and the fleet, unless FLEET_NAMESPACE is set). */
    OPERATOR_NAMESPACE: z.string().min(1).default('default'),
    /** Only FlashSales in this namespace; unset watches every namespace. */
    WATCH_NAMESPACE: z.string().min(1).optional(),
    OPERATOR_IDENTITY: z.string().min(1).default(`${hostname()}-${process.pid}`),
    METRICS_PORT: portNumber.default(9466),
    METRICS_HOST: z.string().default('0.0.0.0'),
    LEASE_NAME: z.string().min(1).default('flashsale-operator'),
    LEASE_DURATION_MS: milliseconds(1000).default(15_000),
    LEASE_RENEW_DEADLINE_MS: milliseconds(500).default(10_000),
    LEASE_RETRY_PERIOD_MS: milliseconds(100).default(2_000),
    FLEET_NAMESPACE: z.string().min(1).optional(),
    FLEET_HPA: optionalName,
    FLEET_DEPLOYMENT: optionalName,
    /** A full relist (and a reconcile of every sale) this often, as a safety net. */
    RESYNC_INTERVAL_MS: milliseconds(1000).default(300_000),
    /** How often remaining/sold are refreshed in the status while a sale is Active. */
    ACTIVE_REFRESH_MS: milliseconds(250).default(5_000),
    RECONCILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
    /** One reconcile may take this long; beyond it, it counts as failed and is retried. */
    RECONCILE_DEADLINE_MS: milliseconds(1000).default(30_000),
    /** Each Redis command gives up after this long (and is retried at most twice). */
    REDIS_COMMAND_TIMEOUT_MS: milliseconds(100).default(2_000),
    /** Each PostgreSQL query and connection attempt gives up after this long. */
    DATABASE_QUERY_TIMEOUT_MS: milliseconds(100).default(5_000),
    /** Each Kubernetes API request (watches aside) gives up after this long. */
    KUBE_REQUEST_TIMEOUT_MS: milliseconds(100).default(10_000),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .refine((config) => config.LEASE_RENEW_DEADLINE_MS < config.LEASE_DURATION_MS, {
    message: 'LEASE_RENEW_DEADLINE_MS must be shorter than LEASE_DURATION_MS',
    path: ['LEASE_RENEW_DEADLINE_MS'],
  })
  .refine((config) => config.LEASE_RETRY_PERIOD_MS < config.LEASE_RENEW_DEADLINE_MS, {
    message: 'LEASE_RETRY_PERIOD_MS must be shorter than LEASE_RENEW_DEADLINE_MS',
    path: ['LEASE_RETRY_PERIOD_MS'],
  });

export type OperatorConfig = z.infer<typeof operatorConfigSchema>;

export function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  return loadEnv(operatorConfigSchema, env);
}
