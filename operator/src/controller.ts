import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@flashsale/runtime';
import type { CapacityController } from './capacity.ts';
import type { Clock, ServerClock } from './clock.ts';
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
  /** How long one reconcile may take before it counts as failed. */
  readonly deadlineMs: number;
  readonly clock: Clock;
  /** Redis's clock: sale windows are judged on it. */
  readonly serverClock: ServerClock;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function sameAnnotations(a: FlashSaleObject, b: FlashSaleObject): boolean {
  const sorted = (sale: FlashSaleObject) =>
    Object.entries(sale.metadata.annotations ?? {}).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

/**
 * Whether an update can call for work: a new object (or a resync), a spec change
 * (generation), a deletion, a finalizer or an annotation change. Status updates, the
 * operator's own above all, change none of these and wake nothing; Active sales are
 * refreshed by their timer instead (see docs/operator.md).
 */
export function needsReconcile(
  sale: FlashSaleObject,
  previous: FlashSaleObject | undefined,
): boolean {
  if (!previous) return true;
  const now = sale.metadata;
  const before = previous.metadata;
  return (
    now.generation !== before.generation ||
    String(now.deletionTimestamp) !== String(before.deletionTimestamp) ||
    !sameList(now.finalizers, before.finalizers) ||
    !sameAnnotations(sale, previous)
  );
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
      clock: deps.clock,
    });
    this.queue = new WorkQueue({
      concurrency: deps.concurrency,
      deadlineMs: deps.deadlineMs,
      clock: deps.clock,
      onError: (key, error, retryInMs) =>
        deps.logger.warn({ key, retryInMs, err: describe(error) }, 'reconcile failed; retrying'),
    });
    const enqueue = (sale: FlashSaleObject): void => {
      this.queue.add(objectKey(sale.metadata.namespace, sale.metadata.name));
      this.queue.add(capacityKey);
    };
    this.informer.onUpsert((sale, previous) => {
      if (needsReconcile(sale, previous)) enqueue(sale);
    });
    this.informer.onDelete(enqueue);
  }

  /** Wires what reconciles need from the informer (they need the cache, it needs them). */
  use(reconciler: FlashSaleReconciler, capacity: CapacityController): void {
    this.reconciler = reconciler;
    this.capacity = capacity;
  }

  /** How long past its deadline the most overdue reconcile is still running (0: none). */
  get stalledForMs(): number {
    return this.queue.stalledForMs;
  }

  get synced(): boolean {
    return this.running && this.informer.hasSynced;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.informer.start();
    this.queue.start((key, signal) => this.handle(key, signal));
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

  private async handle(key: string, signal: AbortSignal): Promise<WorkOutcome | undefined> {
    this.deps.metrics.queueDepth.set(this.queue.depth);
    const end = this.deps.metrics.reconcileDuration.startTimer();
    try {
      const outcome =
        key === capacityKey
          ? await this.reconcileCapacity()
          : await this.reconcileSale(key, signal);
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

  private async reconcileSale(key: string, signal: AbortSignal): Promise<ReconcileOutcome> {
    if (!this.reconciler) throw new Error('the controller was started without a reconciler');
    return this.reconciler.reconcile(key, signal);
  }

  private async reconcileCapacity(): Promise<ReconcileOutcome> {
    if (!this.capacity) throw new Error('the controller was started without capacity');
    let outcome: Awaited<ReturnType<CapacityController['reconcile']>>;
    try {
      outcome = await this.capacity.reconcile(this.deps.serverClock.now());
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
