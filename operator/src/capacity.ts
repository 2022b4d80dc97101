import type { Logger } from '@flashsale/runtime';
import { Reason, type DesiredCondition } from './conditions.ts';
import type { FleetScaler, FleetState } from './fleet-scaler.ts';
import { inCapacityWindow, nextBoundary, type SaleWindow } from './sale-state.ts';

/** A sale's request for API capacity: at least `minReplicas` from warm-up start to its end. */
export interface CapacityRequest {
  readonly key: string;
  readonly minReplicas: number;
  readonly window: SaleWindow;
}

/** The highest floor among sales in their capacity window, or undefined when none is. */
export function capacityFloor(requests: readonly CapacityRequest[], now: Date): number | undefined {
  const floors = requests
    .filter((request) => inCapacityWindow(request.window, now))
    .map((request) => request.minReplicas);
  return floors.length === 0 ? undefined : Math.max(...floors);
}

/**
 * A written floor is not capacity: pods must start and pass readiness first. The condition
 * turns True only when the Deployment has as many Ready pods as the sale asked for.
 */
function floorApplied(
  request: CapacityRequest,
  fleet: FleetState & { found: true },
  what: string,
): DesiredCondition {
  if (fleet.ready !== undefined && fleet.ready < request.minReplicas)
    return {
      type: 'CapacityReady',
      status: 'False',
      reason: Reason.CapacityPending,
      message: `${what} has a floor of ${fleet.replicas}; ${fleet.ready} of ${request.minReplicas} pods Ready`,
    };
  return {
    type: 'CapacityReady',
    status: 'True',
    reason: Reason.CapacityFloorApplied,
    message: `${what} has a floor of ${fleet.replicas} replicas and ${fleet.ready ?? 'unknown'} Ready (requested ${request.minReplicas})`,
  };
}

function fleetCondition(request: CapacityRequest, fleet: FleetState): DesiredCondition {
  const what = `${fleet.target.kind} ${fleet.target.namespace}/${fleet.target.name}`;
  if (!fleet.found)
    return {
      type: 'CapacityReady',
      status: 'False',
      reason: Reason.FleetNotFound,
      message: `${what} does not exist`,
    };
  if (fleet.replicas >= request.minReplicas) return floorApplied(request, fleet, what);
  if (fleet.max !== undefined && fleet.replicas >= fleet.max)
    return {
      type: 'CapacityReady',
      status: 'False',
      reason: Reason.CapacityCapped,
      message: `${what} is capped at maxReplicas ${fleet.max}, below the requested ${request.minReplicas}`,
    };
  return {
    type: 'CapacityReady',
    status: 'False',
    reason: Reason.CapacityPending,
    message: `${what} has a floor of ${fleet.replicas}; raising it to ${request.minReplicas}`,
  };
}

/** The CapacityReady condition of one sale, from what the fleet looks like now. */
export function capacityCondition(
  request: CapacityRequest | undefined,
  fleet: FleetState | 'not_configured' | undefined,
  now: Date,
): DesiredCondition {
  if (!request)
    return {
      type: 'CapacityReady',
      status: 'True',
      reason: Reason.NoCapacityRequested,
      message: 'the sale requests no capacity',
    };
  if (!inCapacityWindow(request.window, now)) {
    const upcoming = now.getTime() < request.window.endsAt.getTime();
    return {
      type: 'CapacityReady',
      status: 'True',
      reason: Reason.OutsideCapacityWindow,
      message: upcoming
        ? `a floor of ${request.minReplicas} replicas applies from ${request.window.startsAt.toISOString()} minus ${request.window.warmupSeconds}s`
        : 'the sale has ended; its capacity floor no longer applies',
    };
  }
  if (fleet === 'not_configured')
    return {
      type: 'CapacityReady',
      status: 'False',
      reason: Reason.FleetNotConfigured,
      message: 'the operator has no FLEET_HPA or FLEET_DEPLOYMENT to scale',
    };
  if (fleet === undefined)
    return {
      type: 'CapacityReady',
      status: 'Unknown',
      reason: Reason.CapacityPending,
      message: 'the fleet has not been checked yet',
    };
  return fleetCondition(request, fleet);
}

/**
 * Keeps the fleet's floor at the highest request in force. It works from every sale at once
 * (one fleet, many sales), so it runs as its own work-queue key rather than inside one
 * sale's reconcile, and is woken by any sale's change and by the next window boundary.
 */
export class CapacityController {
  private state: FleetState | undefined;

  constructor(
    private readonly scaler: FleetScaler | undefined,
    private readonly requests: () => CapacityRequest[],
    private readonly logger: Logger,
  ) {}

  /** What sale reconciles compare their requests with. */
  get fleet(): FleetState | 'not_configured' | undefined {
    return this.scaler ? this.state : 'not_configured';
  }

  /** Applies the floor; returns whether the fleet changed and when to look again. */
  async reconcile(now: Date): Promise<{ changed: boolean; requeueAfterMs: number | undefined }> {
    const requests = this.requests();
    const requeueAfterMs = nextWake(requests, now);
    if (!this.scaler) return { changed: false, requeueAfterMs: undefined };
    const floor = capacityFloor(requests, now);
    const next = await this.scaler.ensureFloor(floor);
    const changed = JSON.stringify(next) !== JSON.stringify(this.state);
    if (changed) this.logger.info({ floor, fleet: next }, 'fleet capacity changed');
    this.state = next;
    return {
      changed,
      requeueAfterMs: waitingForPods(floor, next)
        ? pendingRecheckMs(requeueAfterMs)
        : requeueAfterMs,
    };
  }
}

/** How often the fleet is looked at again while its pods are not all Ready yet. */
const podsRecheckMs = 1000;

function waitingForPods(floor: number | undefined, fleet: FleetState): boolean {
  return floor !== undefined && fleet.found && fleet.ready !== undefined && fleet.ready < floor;
}

function pendingRecheckMs(requeueAfterMs: number | undefined): number {
  return requeueAfterMs === undefined ? podsRecheckMs : Math.min(requeueAfterMs, podsRecheckMs);
}

function nextWake(requests: readonly CapacityRequest[], now: Date): number | undefined {
  const times = requests
    .map((request) => nextBoundary(request.window, now)?.getTime())
    .filter((time): time is number => time !== undefined);
  // Just after the boundary, so the window test on the other side of it is already true.
  return times.length === 0 ? undefined : Math.min(...times) - now.getTime() + 50;
}
