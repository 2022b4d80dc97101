import type { SaleState } from '@flashsale/contract';
import type { FlashSaleState } from '../api/v1alpha1/index.ts';

const stateNames: Record<SaleState, FlashSaleState> = {
  upcoming: 'Upcoming',
  active: 'Active',
  sold_out: 'SoldOut',
  ended: 'Ended',
};

/** The resource's state name for the state buyers see (the same rule, from Redis's clock). */
export function flashSaleState(state: SaleState): FlashSaleState {
  return stateNames[state];
}

export interface SaleWindow {
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** Seconds before the start the API fleet is scaled up; 0 without a capacity request. */
  readonly warmupSeconds: number;
}

/** The instants where something about a sale changes by the clock alone. */
export function timeBoundaries(window: SaleWindow): Date[] {
  const warmupStart = new Date(window.startsAt.getTime() - window.warmupSeconds * 1000);
  return [warmupStart, window.startsAt, window.endsAt];
}

/** The first boundary after `now`, or undefined once the sale has ended. */
export function nextBoundary(window: SaleWindow, now: Date): Date | undefined {
  return timeBoundaries(window).find((boundary) => boundary.getTime() > now.getTime());
}

/** Whether `now` lies in the window where the sale's capacity floor applies. */
export function inCapacityWindow(window: SaleWindow, now: Date): boolean {
  const [warmupStart] = timeBoundaries(window);
  return (
    warmupStart !== undefined &&
    now.getTime() >= warmupStart.getTime() &&
    now.getTime() < window.endsAt.getTime()
  );
}

/**
 * Landing just after a boundary, not on it: a reconcile a few milliseconds early would see
 * the old state and have to wait for the next poll.
 */
const boundarySlackMs = 50;

/**
 * When to look at a sale again without any event: at the next boundary, and every
 * `refreshMs` while buyers can change what remains (Active, or SoldOut before the end) or
 * while persisted purchases still lag behind sold ones. Undefined means only events wake it.
 */
export function requeueDelayMs(
  window: SaleWindow,
  observed: { state: FlashSaleState; sold: number; persisted: number },
  now: Date,
  refreshMs: number,
): number | undefined {
  const boundary = nextBoundary(window, now);
  const untilBoundary =
    boundary === undefined ? undefined : boundary.getTime() - now.getTime() + boundarySlackMs;
  const moving =
    observed.state === 'Active' ||
    observed.state === 'SoldOut' ||
    observed.persisted < observed.sold;
  const refresh = moving ? refreshMs : undefined;
  if (untilBoundary === undefined) return refresh;
  return refresh === undefined ? untilBoundary : Math.min(untilBoundary, refresh);
}
