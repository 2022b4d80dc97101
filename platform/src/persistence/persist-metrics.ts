import { Counter, Histogram, type Registry } from 'prom-client';
import { createRegistry } from '@flashsale/runtime';

/**
 * Buckets of `flashsale_persist_lag_seconds`: from a few milliseconds (the pipeline keeping
 * up) to a minute (Kafka or PostgreSQL was down); anything longer lands in +Inf.
 */
export const persistLagBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
] as const;

/**
 * Seconds from the purchase decision to its row being committed. `purchasedAt` comes from
 * the Redis clock, so a skewed local clock can make it negative; that is reported as 0
 * rather than as a purchase persisted before it happened.
 */
export function persistLagSeconds(purchasedAt: string, nowMs: number): number {
  const decidedMs = Date.parse(purchasedAt);
  if (Number.isNaN(decidedMs)) return 0;
  return Math.max(0, (nowMs - decidedMs) / 1000);
}

function counter(registry: Registry, name: string, help: string): Counter {
  // Reuse a metric already registered, so two persisters (or a restart in a test) can share
  // one registry instead of throwing on a duplicate name.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, registers: [registry] });
}

function lagHistogram(registry: Registry): Histogram {
  const name = 'flashsale_persist_lag_seconds';
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Histogram) return existing;
  return new Histogram({
    name,
    help: 'Seconds from a purchase being confirmed to its row being committed in PostgreSQL',
    buckets: [...persistLagBuckets],
    registers: [registry],
  });
}

function deadLetterCounter(registry: Registry): Counter<'reason'> {
  const name = 'flashsale_persist_dead_lettered_total';
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({
    name,
    help: 'Messages the persister could not store, written to dead_letter_messages, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
}

/**
 * The persister process's registry: Node's default metrics and `process="persister"` on
 * every series, like the other processes. `PersistMetrics` adds the persister's own.
 */
export const createPersisterRegistry = (): Registry => createRegistry('persister');

/** The persister's metrics; the first two names are part of the design's contract. */
export class PersistMetrics {
  readonly persisted: Counter;
  readonly lag: Histogram;
  readonly invalid: Counter;
  readonly failures: Counter;
  readonly deadLettered: Counter<'reason'>;

  constructor(registry: Registry) {
    this.persisted = counter(
      registry,
      'flashsale_events_persisted_total',
      'Purchase rows inserted into PostgreSQL (redelivered events are not counted)',
    );
    this.lag = lagHistogram(registry);
    this.invalid = counter(
      registry,
      'flashsale_events_invalid_total',
      'Messages on the purchases topic that were not a valid purchase event (dead-lettered)',
    );
    this.failures = counter(
      registry,
      'flashsale_persist_failures_total',
      'Attempts to write a batch of purchases to PostgreSQL that failed and were retried',
    );
    this.deadLettered = deadLetterCounter(registry);
  }

  /** Call once the rows are committed, with the events whose rows were new. */
  recordPersisted(purchasedAt: readonly string[], nowMs: number): void {
    this.persisted.inc(purchasedAt.length);
    for (const at of purchasedAt) this.lag.observe(persistLagSeconds(at, nowMs));
  }
}
