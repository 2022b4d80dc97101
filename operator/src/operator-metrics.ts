import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { createRegistry } from '@flashsale/runtime';

export type ReconcileResult = 'success' | 'requeue' | 'conflict' | 'error';

/** The operator's metrics; the reconcile names are a contract for the dashboards. */
export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<'result'>;
  readonly reconcileDuration: Histogram;
  readonly watchRestarts: Counter<'reason'>;
  readonly leader: Gauge;
  readonly queueDepth: Gauge;
  readonly statusWrites: Counter;
  readonly storageErrors: Counter<'store'>;
  readonly writesRefused: Counter;
}

/** The operator process's registry: Node's default metrics and `process="operator"`. */
export const createOperatorRegistry = (): Registry => createRegistry('operator');

export function createOperatorMetrics(registry: Registry): OperatorMetrics {
  return {
    registry,
    reconciles: new Counter({
      name: 'flashsale_operator_reconcile_total',
      help: 'FlashSale reconciles by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'flashsale_operator_reconcile_duration_seconds',
      help: 'Duration of one FlashSale reconcile',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    watchRestarts: new Counter({
      name: 'flashsale_operator_watch_restarts_total',
      help: 'Restarts of the FlashSale watch: relist after 410 Gone, or backoff after an error',
      labelNames: ['reason'],
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'flashsale_operator_leader',
      help: '1 while this replica holds the leader Lease, 0 otherwise',
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'flashsale_operator_queue_depth',
      help: 'FlashSale keys waiting to be reconciled',
      registers: [registry],
    }),
    statusWrites: new Counter({
      name: 'flashsale_operator_status_writes_total',
      help: 'FlashSale status subresource writes',
      registers: [registry],
    }),
    storageErrors: new Counter({
      name: 'flashsale_operator_storage_errors_total',
      help: 'Best-effort reads and writes that failed (postgresql: the persisted figure or the sales row)',
      labelNames: ['store'],
      registers: [registry],
    }),
    writesRefused: new Counter({
      name: 'flashsale_operator_writes_refused_total',
      help: 'Writes refused because this replica no longer held a valid lease',
      registers: [registry],
    }),
  };
}
