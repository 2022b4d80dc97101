import type { ConfigureStatus } from '@flashsale/platform';
import { findCondition, mergeConditions, Reason, type DesiredCondition } from './conditions.ts';
import type { FlashSaleCondition, FlashSaleState, FlashSaleStatus } from '../api/v1alpha1/index.ts';

/** What one reconcile found out about a sale, from which its status follows. */
export interface SaleObservation {
  readonly generation: number;
  /** The spec's problem when it failed validation. */
  readonly invalidSpec?: string;
  /** What configuring Redis answered (undefined when it was not attempted). */
  readonly configured?: {
    readonly status: ConfigureStatus;
    readonly sold: number;
    readonly stock: number;
  };
  /** Figures read back from Redis and PostgreSQL (undefined: the sale is not in Redis). */
  readonly levels?: {
    readonly state: FlashSaleState;
    readonly stock: number;
    readonly sold: number;
    readonly remaining: number;
    readonly persisted: number;
  };
  readonly capacity: DesiredCondition;
  /** Why nothing was configured although the spec is valid (see docs/sale-lifecycle.md). */
  readonly refusal?: {
    readonly reason: typeof Reason.NameConflict | typeof Reason.StockLost;
    readonly message: string;
  };
}

const stockCondition = (
  status: 'True' | 'False',
  reason: DesiredCondition['reason'],
  message: string,
): DesiredCondition => ({ type: 'StockConfigured', status, reason, message });

/**
 * StockConfigured: True once this generation's stock is in Redis. A refused change (invalid
 * spec, stock below sold) keeps the previous condition untouched, because the stock that
 * was configured before is still what buyers are sold from.
 */
function stockConfigured(
  previous: FlashSaleCondition | undefined,
  observation: SaleObservation,
): DesiredCondition | FlashSaleCondition {
  const { configured, refusal } = observation;
  if (refusal) return stockCondition('False', refusal.reason, refusal.message);
  if (configured?.status === 'ok')
    return stockCondition(
      'True',
      Reason.StockApplied,
      `stock ${configured.stock} is configured in Redis`,
    );
  if (previous) return previous;
  if (observation.invalidSpec !== undefined)
    return stockCondition(
      'False',
      Reason.InvalidSpec,
      'the spec is invalid; nothing was configured',
    );
  if (configured?.status === 'below_sold')
    return stockCondition(
      'False',
      Reason.StockBelowSold,
      'the stock is below what is already sold',
    );
  return stockCondition('False', Reason.NotConfigured, 'the sale is not configured yet');
}

function degraded(observation: SaleObservation): DesiredCondition {
  if (observation.invalidSpec !== undefined)
    return {
      type: 'Degraded',
      status: 'True',
      reason: Reason.InvalidSpec,
      message: `invalid spec, nothing changed: ${observation.invalidSpec}`,
    };
  const { configured, refusal } = observation;
  if (refusal)
    return { type: 'Degraded', status: 'True', reason: refusal.reason, message: refusal.message };
  if (configured?.status === 'below_sold')
    return {
      type: 'Degraded',
      status: 'True',
      reason: Reason.StockBelowSold,
      message: `stock ${configured.stock} is below the ${configured.sold} units already sold; the stock was not changed`,
    };
  return {
    type: 'Degraded',
    status: 'False',
    reason: Reason.AsExpected,
    message: 'no problem found',
  };
}

function ready(
  stock: DesiredCondition | FlashSaleCondition,
  degradedCondition: DesiredCondition,
  state: FlashSaleState | undefined,
): DesiredCondition {
  if (stock.status === 'True' && degradedCondition.status === 'False')
    return {
      type: 'Ready',
      status: 'True',
      reason: Reason.SaleReady,
      message: `the sale is ${state ?? 'configured'}`,
    };
  const cause = degradedCondition.status === 'True' ? degradedCondition.message : stock.message;
  return { type: 'Ready', status: 'False', reason: Reason.SaleNotReady, message: cause };
}

type Figures = Pick<FlashSaleStatus, 'state' | 'stock' | 'sold' | 'remaining' | 'persisted'>;

/** The figures that are known, without undefined fields (the status has exact optionals). */
function knownFigures(figures: Figures | undefined): Figures {
  const known = Object.entries(figures ?? {}).filter(
    ([field, value]) =>
      value !== undefined && ['state', 'stock', 'sold', 'remaining', 'persisted'].includes(field),
  );
  return Object.fromEntries(known);
}

/** The status this observation calls for, keeping transition times of unchanged conditions. */
export function desiredStatus(
  previous: FlashSaleStatus | undefined,
  observation: SaleObservation,
  now: Date,
): FlashSaleStatus {
  const stock = stockConfigured(
    findCondition(previous?.conditions, 'StockConfigured'),
    observation,
  );
  const problem = degraded(observation);
  // Without Redis figures (nothing configured yet, spec invalid) the last known ones stay.
  const figures = knownFigures(observation.levels ?? previous);
  const conditions = mergeConditions(
    previous?.conditions,
    [ready(stock, problem, figures.state), stock, observation.capacity, problem],
    observation.generation,
    now,
  );
  return { ...figures, observedGeneration: observation.generation, conditions };
}

/** Field-by-field equality in a fixed order (key order differs between writes and reads). */
export function sameStatus(a: FlashSaleStatus | undefined, b: FlashSaleStatus): boolean {
  return canonical(a ?? {}) === canonical(b);
}

function canonical(status: FlashSaleStatus): string {
  const conditions = (status.conditions ?? []).map((c) => [
    c.type,
    c.status,
    c.reason,
    c.message,
    c.lastTransitionTime,
    c.observedGeneration,
  ]);
  return JSON.stringify([
    status.state,
    status.stock,
    status.sold,
    status.remaining,
    status.persisted,
    status.observedGeneration,
    conditions,
  ]);
}

/** Whether this generation's stock is already in Redis, so configuring can be skipped. */
export function stockAlreadyConfigured(
  status: FlashSaleStatus | undefined,
  generation: number,
): boolean {
  const condition = findCondition(status?.conditions, 'StockConfigured');
  return (
    status?.observedGeneration === generation &&
    condition?.status === 'True' &&
    condition.observedGeneration === generation
  );
}

/** What changed between two statuses that a person should see as an Event. */
export interface StatusEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

function stateEvent(previous: FlashSaleStatus | undefined, next: FlashSaleStatus): StatusEvent[] {
  if (next.state === undefined || previous?.state === next.state) return [];
  const message = `${previous?.state ?? 'New'} → ${next.state}`;
  return [{ type: 'Normal', reason: 'StateChanged', message }];
}

function stockEvent(previous: FlashSaleStatus | undefined, next: FlashSaleStatus): StatusEvent[] {
  const before = previous?.stock;
  if (before === undefined || next.stock === undefined || before === next.stock) return [];
  return [{ type: 'Normal', reason: 'StockChanged', message: `stock ${before} → ${next.stock}` }];
}

/** A refusal is announced once, when it appears or its message changes. */
function refusalEvent(previous: FlashSaleStatus | undefined, next: FlashSaleStatus): StatusEvent[] {
  const before = findCondition(previous?.conditions, 'Degraded');
  const after = findCondition(next.conditions, 'Degraded');
  if (after?.status !== 'True') return [];
  if (before?.status === 'True' && before.message === after.message) return [];
  return [{ type: 'Warning', reason: after.reason, message: after.message }];
}

export function statusEvents(
  previous: FlashSaleStatus | undefined,
  next: FlashSaleStatus,
): StatusEvent[] {
  return [
    ...stateEvent(previous, next),
    ...stockEvent(previous, next),
    ...refusalEvent(previous, next),
  ];
}

/** What a deletion waits for: purchases in the sale's outbox not yet handed to Kafka. */
export interface OutboxBacklog {
  readonly length: number;
  readonly pending: number;
}

/**
 * The status of a FlashSale whose deletion waits for its outbox: the sale is stopped, so it
 * is not Ready, and Deleting says what it waits for. Every other condition stays as it was.
 */
export function deletingStatus(
  previous: FlashSaleStatus | undefined,
  backlog: OutboxBacklog,
  generation: number,
  now: Date,
): FlashSaleStatus {
  const waiting = `${backlog.length} purchases in the outbox (${backlog.pending} in flight)`;
  const kept = (previous?.conditions ?? []).filter(
    (condition) => condition.type !== 'Ready' && condition.type !== 'Deleting',
  );
  const conditions = mergeConditions(
    previous?.conditions,
    [
      ...kept,
      {
        type: 'Ready',
        status: 'False',
        reason: Reason.SaleDeleting,
        message: 'the sale is stopped and being deleted',
      },
      {
        type: 'Deleting',
        status: 'True',
        reason: Reason.OutboxDraining,
        message: `sales stopped; waiting for ${waiting} to reach Kafka before removing the sale's keys`,
      },
    ],
    generation,
    now,
  );
  return { ...knownFigures(previous), observedGeneration: generation, conditions };
}

/** The Event that announces a deletion waiting for its outbox, once. */
export function drainingEvent(
  previous: FlashSaleStatus | undefined,
  backlog: OutboxBacklog,
): StatusEvent[] {
  if (findCondition(previous?.conditions, 'Deleting')?.status === 'True') return [];
  return [
    {
      type: 'Normal',
      reason: Reason.OutboxDraining,
      message: `sale stopped; ${backlog.length} purchases wait in its outbox and reach Kafka before its keys are removed`,
    },
  ];
}
