import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { lastKnown } from '@flashsale/runtime';
import { SaleLabels } from '../observability/sale-labels.ts';

/** Purchase outcomes as the contract's `result` label names them. */
export type AttemptResult =
  | 'confirmed'
  | 'sold_out'
  | 'limit_reached'
  | 'not_started'
  | 'ended'
  | 'rejected'
  | 'error'
  /** 503: Redis unreachable or refusing; the purchase did not happen. */
  | 'unavailable'
  /** 503 outcome_unknown: the purchase may have happened (docs/durability.md). */
  | 'outcome_unknown';

/** The metrics of an API process; names are a contract for the dashboards. */
export interface ApiMetrics {
  readonly registry: Registry;
  readonly purchaseAttempts: Counter<'sale' | 'result'>;
  readonly stockRemaining: Gauge<'sale'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Every `sale` label value goes through it: configured sales only, else `unknown`. */
  readonly saleLabels: SaleLabels;
}

/**
 * `remainingBySale`, when given, is read at every scrape, so the gauge also shows sales no
 * purchase has touched yet in this process (and drops deleted ones); when Redis does not
 * answer in time the gauge keeps its last known values.
 */
export function createApiMetrics(
  registry: Registry,
  remainingBySale?: () => Promise<ReadonlyMap<string, number>>,
): ApiMetrics {
  const remainingNow = remainingBySale && lastKnown(remainingBySale, new Map<string, number>());
  return {
    registry,
    saleLabels: new SaleLabels(),
    purchaseAttempts: new Counter({
      name: 'flashsale_purchase_attempts_total',
      help: 'Purchase attempts by sale and result',
      labelNames: ['sale', 'result'],
      registers: [registry],
    }),
    stockRemaining: new Gauge({
      name: 'flashsale_stock_remaining',
      help: 'Units left in a sale',
      labelNames: ['sale'],
      registers: [registry],
      ...(remainingNow
        ? {
            async collect() {
              const remaining = await remainingNow();
              this.reset();
              for (const [sale, units] of remaining) this.set({ sale }, units);
            },
          }
        : {}),
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

/** Event-stream metrics of an API process: open streams, and those refused or dropped. */
export interface SseMetrics {
  readonly rejected: Counter<'reason'>;
}

export function createSseMetrics(registry: Registry, openStreams: () => number): SseMetrics {
  new Gauge({
    name: 'flashsale_sse_clients',
    help: 'Server-Sent-Events clients subscribed in this process',
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });
  return {
    rejected: new Counter({
      name: 'flashsale_sse_rejected_total',
      help: 'Event streams refused (process_limit, address_limit) or dropped (slow_client)',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
