import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
} from '@kubernetes/client-node';
import { Sequelize } from 'sequelize';
import { createLogger, createRegistry, redisClient, type RedisClient } from '@flashsale/runtime';
import { migrate, SaleStore } from '@flashsale/platform';
import { createTestDatabase, dropTestDatabase } from '../databases.ts';
import { isolatedNames, type IsolatedNames } from '../isolation.ts';
import { freePort } from '../platform.ts';
import { useStack, type StackEnv } from '../stack.ts';
import { deleteKeysUnderPrefix } from '../redis.ts';
import {
  applyFlashSaleCrd,
  flashSaleGroup,
  flashSalePlural,
  flashSaleVersion,
  type FlashSaleCondition,
  type FlashSaleStatus,
  operatorConfigSchema,
  type OperatorConfig,
  startOperator,
  type RunningOperator,
} from '@flashsale/operator';
import type { FlashSaleObject } from '@flashsale/operator';

export interface SaleSpecInput {
  readonly stock: number;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly perUserLimit?: number;
  readonly capacity?: { minReplicas: number; warmupSeconds: number };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * One test's private world on the shared stack: a namespace, a Redis key prefix, a database
 * and a Lease name of its own, the FlashSale CRD, and operators started in this process.
 */
export class OperatorFixture {
  readonly names: IsolatedNames;
  readonly kubeConfig = new KubeConfig();
  stack!: StackEnv;
  databaseUrl = '';
  redis!: RedisClient;
  store!: SaleStore;
  database!: Sequelize;
  core!: CoreV1Api;
  custom!: CustomObjectsApi;
  private readonly operators = new Set<RunningOperator>();

  constructor(label: string) {
    this.names = isolatedNames(label);
  }

  get namespace(): string {
    return this.names.namespace;
  }

  /**
   * The test's namespace, Redis prefix and database; then the database is migrated, as
   * `flashsale migrate` does before every deployment (`migrated: false` leaves it empty).
   */
  async setUp(options: { migrated?: boolean } = {}): Promise<void> {
    this.stack = await useStack();
    this.kubeConfig.loadFromFile(this.stack.KUBECONFIG);
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.custom = this.kubeConfig.makeApiClient(CustomObjectsApi);
    await applyFlashSaleCrd(this.kubeConfig, 'flashsale-operator-tests');
    await this.core.createNamespace({ body: { metadata: { name: this.namespace } } });
    this.databaseUrl = await createTestDatabase(this.stack.DATABASE_URL, this.names.database);
    this.redis = redisClient(this.stack.REDIS_URL, { keyPrefix: this.names.redisPrefix });
    // Outage specs stop Redis on purpose; the client reconnects by itself.
    this.redis.on('error', () => undefined);
    this.store = new SaleStore(this.redis);
    this.database = new Sequelize(this.databaseUrl, { logging: false });
    if (options.migrated !== false) await migrate(this.database);
  }

  async tearDown(): Promise<void> {
    await Promise.all([...this.operators].map((operator) => operator.kill()));
    // Without kube-controller-manager a namespace never finishes terminating, so its sales
    // are deleted one by one (finalizers dropped first, as no operator is left to run them).
    const sales = await this.listSales().catch(() => []);
    await Promise.all(sales.map((sale) => this.forgetSale(sale.metadata.name)));
    await this.core.deleteNamespace({ name: this.namespace }).catch(() => undefined);
    await deleteKeysUnderPrefix(this.redis);
    this.redis.disconnect();
    await this.database.close();
    await dropTestDatabase(this.stack.DATABASE_URL, this.names.database).catch(() => undefined);
  }

  private async forgetSale(name: string): Promise<void> {
    const body = { metadata: { finalizers: null } };
    await this.custom
      .patchNamespacedCustomObject({ ...this.target(), name, body }, mergePatch)
      .catch(() => undefined);
    await this.deleteSale(name).catch(() => undefined);
  }

  async config(overrides: Record<string, string> = {}): Promise<OperatorConfig> {
    return operatorConfigSchema.parse({
      KUBECONFIG: this.stack.KUBECONFIG,
      REDIS_URL: this.stack.REDIS_URL,
      REDIS_KEY_PREFIX: this.names.redisPrefix,
      DATABASE_URL: this.databaseUrl,
      OPERATOR_NAMESPACE: this.namespace,
      WATCH_NAMESPACE: this.namespace,
      METRICS_PORT: String(await freePort()),
      METRICS_HOST: '127.0.0.1',
      LEASE_NAME: `flashsale-operator-${this.names.id}`,
      LEASE_DURATION_MS: '3000',
      LEASE_RENEW_DEADLINE_MS: '2000',
      LEASE_RETRY_PERIOD_MS: '250',
      ACTIVE_REFRESH_MS: '1000',
      ...overrides,
    });
  }

  async startOperator(
    identity: string,
    overrides: Record<string, string> = {},
  ): Promise<RunningOperator> {
    const config = await this.config({ OPERATOR_IDENTITY: identity, ...overrides });
    const operator = await startOperator(config, {
      logger: createLogger('operator', process.env.OPERATOR_TEST_LOG_LEVEL ?? 'silent'),
      registry: createRegistry('operator'),
    });
    this.operators.add(operator);
    return operator;
  }

  async stopOperator(operator: RunningOperator, graceful: boolean): Promise<void> {
    this.operators.delete(operator);
    await (graceful ? operator.shutdown() : operator.kill());
  }

  target() {
    return {
      group: flashSaleGroup,
      version: flashSaleVersion,
      plural: flashSalePlural,
      namespace: this.namespace,
    };
  }

  specOf(input: SaleSpecInput): Record<string, unknown> {
    return {
      product: { sku: 'SKU-1', title: 'Test product', priceCents: 1000 },
      stock: input.stock,
      perUserLimit: input.perUserLimit ?? 10,
      startsAt: input.startsAt.toISOString(),
      endsAt: input.endsAt.toISOString(),
      ...(input.capacity ? { capacity: input.capacity } : {}),
    };
  }

  async createSale(name: string, input: SaleSpecInput): Promise<FlashSaleObject> {
    return (await this.custom.createNamespacedCustomObject({
      ...this.target(),
      body: {
        apiVersion: `${flashSaleGroup}/${flashSaleVersion}`,
        kind: 'FlashSale',
        metadata: { name },
        spec: this.specOf(input),
      },
    })) as FlashSaleObject;
  }

  async patchSpec(name: string, spec: Record<string, unknown>): Promise<void> {
    await this.custom.patchNamespacedCustomObject(
      { ...this.target(), name, body: { spec } },
      mergePatch,
    );
  }

  async getSale(name: string): Promise<FlashSaleObject> {
    return (await this.custom.getNamespacedCustomObject({
      ...this.target(),
      name,
    })) as FlashSaleObject;
  }

  async deleteSale(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ ...this.target(), name });
  }

  async listSales(): Promise<FlashSaleObject[]> {
    const list = (await this.custom.listNamespacedCustomObject(this.target())) as {
      items: FlashSaleObject[];
    };
    return list.items;
  }

  async events(name: string): Promise<CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({
      namespace: this.namespace,
      fieldSelector: `involvedObject.name=${name}`,
    });
    return list.items;
  }

  /** Polls the sale until `accept` returns true for its status; returns that status. */
  async waitForStatus(
    name: string,
    what: string,
    accept: (status: FlashSaleStatus) => boolean,
    timeoutMs = 20_000,
  ): Promise<FlashSaleStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: FlashSaleStatus | undefined;
    while (Date.now() < deadline) {
      last = (await this.getSale(name).catch(() => undefined))?.status;
      if (last && accept(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${name}: ${what}; last status ${JSON.stringify(last)}`);
  }
}

export function condition(status: FlashSaleStatus | undefined, type: FlashSaleCondition['type']) {
  return status?.conditions?.find((c) => c.type === type);
}

export const secondsFromNow = (seconds: number): Date => new Date(Date.now() + seconds * 1000);

/** Reads a counter from a prom-client registry (sum over every label set). */
export async function counterValue(operator: RunningOperator, name: string): Promise<number> {
  const metric = await operator.metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).reduce((sum, value) => sum + value.value, 0);
}
