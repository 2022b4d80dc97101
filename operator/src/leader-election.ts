import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import type { Logger } from '@flashsale/platform/observability/logger.ts';
import { statusCodeOf } from './flash-sale-api.ts';

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** How long a lease holds without renewal before another replica may take it. */
  readonly leaseDurationMs: number;
  /** The leader steps down when it could not renew for this long (shorter than the lease). */
  readonly renewDeadlineMs: number;
  /** How often every replica tries to acquire or renew. */
  readonly retryPeriodMs: number;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => Promise<void>;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: every write is a
 * compare-and-swap on the Lease's resourceVersion, and expiry is judged by when *we* last
 * saw the lease change (not by the holder's clock), so clock skew between nodes cannot make
 * two leaders. The leader stops working once it has failed to renew for the renew deadline,
 * which is before anyone else may take over.
 */
export class LeaderElector {
  private readonly coordination: CoordinationV1Api;
  private leading = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> = Promise.resolve();
  private lastRenewMs = 0;
  private observed: { record: string; atMs: number } | undefined;

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: LeaderElectionOptions,
  ) {
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops trying; with `release` the lease is handed back so a standby takes over at once. */
  async stop(release: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    const wasLeading = this.leading;
    await this.stepDown();
    if (release && wasLeading) await this.release();
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.tick = this.attempt().finally(() => {
        if (!this.stopped) this.schedule(this.options.retryPeriodMs);
      });
    }, delayMs);
  }

  private async attempt(): Promise<void> {
    try {
      const renewed = await this.tryAcquireOrRenew();
      if (renewed) {
        this.lastRenewMs = Date.now();
        if (!this.leading && !this.stopped) this.becomeLeader();
      }
    } catch (error) {
      this.options.logger.warn({ err: describe(error) }, 'leader election: lease update failed');
    }
    if (this.leading && Date.now() - this.lastRenewMs > this.options.renewDeadlineMs) {
      this.options.logger.error(
        'leader election: could not renew the lease in time; stepping down',
      );
      await this.stepDown();
    }
  }

  private becomeLeader(): void {
    this.leading = true;
    this.options.logger.info({ identity: this.options.identity }, 'leader election: became leader');
    this.options.onStartedLeading();
  }

  private async stepDown(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    await this.options.onStoppedLeading();
  }

  /** True when we hold the lease after this attempt. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const lease = await this.read();
    if (!lease) {
      await this.coordination.createNamespacedLease({
        namespace,
        body: { metadata: { name, namespace }, spec: this.spec(undefined, true) },
      });
      return true;
    }
    const holder = lease.spec?.holderIdentity;
    if (holder === identity) {
      await this.replace(lease, this.spec(lease, false));
      return true;
    }
    if (holder && !this.expired(lease)) return false;
    this.options.logger.info({ previous: holder ?? null }, 'leader election: acquiring the lease');
    await this.replace(lease, this.spec(lease, true));
    return true;
  }

  private expired(lease: V1Lease): boolean {
    const record = `${lease.spec?.holderIdentity}|${String(lease.spec?.renewTime?.valueOf())}`;
    const now = Date.now();
    if (this.observed?.record !== record) this.observed = { record, atMs: now };
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    return now - this.observed.atMs > durationMs;
  }

  private spec(lease: V1Lease | undefined, acquiring: boolean): V1LeaseSpec {
    const now = new V1MicroTime();
    const transitions = lease?.spec?.leaseTransitions ?? 0;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
      acquireTime: acquiring ? now : (lease?.spec?.acquireTime ?? now),
      renewTime: now,
      leaseTransitions: acquiring && lease ? transitions + 1 : transitions,
    };
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity !== this.options.identity) return;
      // Without a holder the lease is free: a standby takes it on its next try.
      const rest = { ...lease.spec };
      delete rest.holderIdentity;
      await this.replace(lease, { ...rest, leaseDurationSeconds: 1, renewTime: new V1MicroTime() });
      this.options.logger.info('leader election: lease released');
    } catch (error) {
      this.options.logger.warn(
        { err: describe(error) },
        'leader election: releasing the lease failed',
      );
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.coordination.readNamespacedLease({
        namespace: this.options.namespace,
        name: this.options.name,
      });
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw new Error('reading the leader lease failed', { cause: error });
    }
  }

  /** A replace carrying the resourceVersion we read: it fails (409) if anyone wrote since. */
  private async replace(lease: V1Lease, spec: V1LeaseSpec): Promise<void> {
    const { namespace, name } = this.options;
    const body: V1Lease = { ...lease, spec };
    await this.coordination.replaceNamespacedLease({ namespace, name, body });
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
