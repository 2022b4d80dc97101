import type { ConditionType, FlashSaleCondition } from '../api/v1alpha1/index.ts';

/** Condition reasons, as they appear in `kubectl describe` (CamelCase, stable). */
export const Reason = {
  // Ready
  SaleReady: 'SaleReady',
  SaleNotReady: 'SaleNotReady',
  // StockConfigured
  StockApplied: 'StockApplied',
  StockBelowSold: 'StockBelowSold',
  InvalidSpec: 'InvalidSpec',
  NotConfigured: 'NotConfigured',
  // CapacityReady
  NoCapacityRequested: 'NoCapacityRequested',
  OutsideCapacityWindow: 'OutsideCapacityWindow',
  CapacityFloorApplied: 'CapacityFloorApplied',
  CapacityCapped: 'CapacityCapped',
  FleetNotConfigured: 'FleetNotConfigured',
  FleetNotFound: 'FleetNotFound',
  CapacityPending: 'CapacityPending',
  // Degraded (and StockConfigured for a refused name or lost stock)
  AsExpected: 'AsExpected',
  NameConflict: 'NameConflict',
  StockLost: 'StockLost',
  // Deleting
  OutboxDraining: 'OutboxDraining',
  SaleDeleting: 'SaleDeleting',
} as const;

export type ConditionReason = (typeof Reason)[keyof typeof Reason];

/** A condition as the reconciler decides it; the transition time is added by `mergeConditions`. */
export interface DesiredCondition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: ConditionReason;
  readonly message: string;
}

const order: readonly ConditionType[] = [
  'Ready',
  'StockConfigured',
  'CapacityReady',
  'Degraded',
  'Deleting',
];

/**
 * The next condition list: each desired condition takes the previous lastTransitionTime
 * unless its status flipped, so the time says when it last changed, not when we last looked.
 * A condition passed with its transition time already set is kept exactly as it is.
 */
export function mergeConditions(
  previous: readonly FlashSaleCondition[] | undefined,
  desired: readonly (DesiredCondition | FlashSaleCondition)[],
  observedGeneration: number,
  now: Date,
): FlashSaleCondition[] {
  const byType = new Map(previous?.map((condition) => [condition.type, condition]));
  return [...desired]
    .sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type))
    .map((condition): FlashSaleCondition => {
      if ('lastTransitionTime' in condition) return condition;
      const before = byType.get(condition.type);
      const unchanged = before !== undefined && before.status === condition.status;
      return {
        ...condition,
        lastTransitionTime: unchanged ? before.lastTransitionTime : rfc3339Seconds(now),
        observedGeneration,
      };
    });
}

export function findCondition(
  conditions: readonly FlashSaleCondition[] | undefined,
  type: ConditionType,
): FlashSaleCondition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** metav1.Time has second precision; writing milliseconds would make every read a change. */
export function rfc3339Seconds(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
