import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@flashsale/platform/observability/logger.ts';
import type { CapacityController } from './capacity.ts';
import { objectKey, type FlashSaleApi, type FlashSaleObject } from './flash-sale-api.ts';
import { Informer } from './informer.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import type { FlashSaleReconciler, ReconcileOutcome } from './reconciler.ts';
import { capacityRequestOf } from './sale-spec.ts';
import { WorkQueue, type WorkOutcome } from './work-queue.ts';

/** The work-queue key of the fleet's capacity (no slash, so never a FlashSale key). */
const capacityKey = 'fleet-capacity';

export interface ControllerDeps {
  readonly kubeConfig: KubeConfig;
  readonly api: FlashSaleApi;
  readonly metrics: OperatorMetrics;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly resyncMs: number;
}

/**
 * The leader's machinery: an informer over FlashSales feeding a work queue, whose workers
 * reconcile sales and the fleet's capacity. Built once; started when this replica becomes
 * leader and stopped when it stops being one.
 */
export class FlashSaleController {
  readonly informer: Informer<FlashSaleObject>;
  private readonly queue: WorkQueue;
  private reconciler: FlashSaleReconciler | undefined;
  private capacity: CapacityController | undefined;
  private running = false;

  constructor(private readonly deps: ControllerDeps) {
    this.informer = new Informer<FlashSaleObject>({
      list: () => deps.api.list(),
      watch: new Watch(deps.kubeConfig),
      path: deps.api.watchPath,
      keyOf: (sale) => objectKey(sale.metadata.namespace, sale.metadata.name),
      resyncMs: deps.resyncMs,
      logger: deps.logger,
      onRestart: (reason) => deps.metrics.watchRestarts.inc({ reason }),
    });
    this.queue = new WorkQueue({
      concurrency: deps.concurrency,
      onError: (key, error, retryInMs) =>
        deps.logger.warn({ key, retryInMs, err: describe(error) }, 'reconcile failed; retrying'),
    });
    const enqueue = (sale: FlashSaleObject): void => {
      this.queue.add(objectKey(sale.metadata.namespace, sale.metadata.name));
      this.queue.add(capacityKey);
    };
    this.informer.onUpsert(enqueue);
    this.informer.onDelete(enqueue);
  }

  /** Wires what reconciles need from the informer (they need the cache, it needs them). */
  use(reconciler: FlashSaleReconciler, capacity: CapacityController): void {
    this.reconciler = reconciler;
    this.capacity = capacity;
  }

  get synced(): boolean {
    return this.running && this.informer.hasSynced;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.informer.start();
    this.queue.start((key) => this.handle(key));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.informer.stop();
    await this.queue.stop();
  }

  /** The capacity requests of every sale the informer knows. */
  capacityRequests() {
    return this.informer
      .list()
      .map(capacityRequestOf)
      .filter((request) => request !== undefined);
  }

  private async handle(key: string): Promise<WorkOutcome | undefined> {
    this.deps.metrics.queueDepth.set(this.queue.depth);
    const end = this.deps.metrics.reconcileDuration.startTimer();
    try {
      const outcome =
        key === capacityKey ? await this.reconcileCapacity() : await this.reconcileSale(key);
      this.deps.metrics.reconciles.inc({ result: outcome.result });
      return outcome.requeueAfterMs === undefined
        ? undefined
        : { requeueAfterMs: outcome.requeueAfterMs };
    } catch (error) {
      this.deps.metrics.reconciles.inc({ result: 'error' });
      throw error;
    } finally {
      end();
    }
  }

  private async reconcileSale(key: string): Promise<ReconcileOutcome> {
    if (!this.reconciler) throw new Error('the controller was started without a reconciler');
    return this.reconciler.reconcile(key);
  }

  private async reconcileCapacity(): Promise<ReconcileOutcome> {
    if (!this.capacity) throw new Error('the controller was started without capacity');
    let outcome: Awaited<ReturnType<CapacityController['reconcile']>>;
    try {
      outcome = await this.capacity.reconcile(new Date());
    } catch (error) {
      throw new Error('reconciling the fleet capacity failed', { cause: error });
    }
    // Sales asking for capacity report it in their CapacityReady condition.
    if (outcome.changed) for (const request of this.capacityRequests()) this.queue.add(request.key);
    return outcome.requeueAfterMs === undefined
      ? { result: 'success' }
      : { result: 'success', requeueAfterMs: outcome.requeueAfterMs };
  }
}

function describe(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && messages.length < 4) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 0 ? messages.join(': ') : String(error);
}
