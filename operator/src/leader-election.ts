import {
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import type { Logger } from '@flashsale/runtime';
import { systemClock, type Clock, type Timer } from './clock.ts';
import { statusCodeOf } from './flash-sale-api.ts';

/** The Lease calls the elector makes (the real client, or a fake in unit specs). */
export type LeaseClient = Pick<
  CoordinationV1Api,
  'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'
>;

export interface LeaderElectionOptions {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  /** How long a lease holds without renewal before another replica may take it. */
  readonly leaseDurationMs: number;
  /** The leader stops writing once it has not renewed for this long (shorter than the lease). */
  readonly renewDeadlineMs: number;
  /** How often every replica tries to acquire or renew. */
  readonly retryPeriodMs: number;
  /** Each call to the API server about the lease gives up after this long. */
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => Promise<void>;
  /** Leadership ended without stop(): the renew deadline passed. */
  readonly onLostLeadership?: () => void;
  readonly clock?: Clock;
  readonly leases?: LeaseClient;
}

class LeaseTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'LeaseTimeoutError';
  }
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: every write is a
 * compare-and-swap on the Lease's resourceVersion, and expiry is judged by when *we* last
 * saw the lease change (not by the holder's clock), so clock skew between nodes cannot make
 * two leaders.
 *
 * Every duration is measured on the monotonic clock. A renew counts from the moment its
 * request was sent, and the leader may write (`mayWrite`) only until that moment plus the
 * renew deadline, which is before any other replica can see the lease expire. The check is
 * made at each write, so a process that was frozen (SIGSTOP, a long GC pause, a stalled VM)
 * refuses to write the instant it runs again, before any timer of its own has fired.
 */
export class LeaderElector {
  private readonly leases: LeaseClient;
  private readonly clock: Clock;
  private leading = false;
  private stopped = true;
  private timer: Timer | undefined;
  private fence: Timer | undefined;
  private tick: Promise<void> = Promise.resolve();
  private validUntilMs = 0;
  private lastAttemptMs = 0;
  private observed: { record: string; atMs: number } | undefined;

  constructor(
    kubeConfig: KubeConfig | undefined,
    private readonly options: LeaderElectionOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    const leases = options.leases ?? kubeConfig?.makeApiClient(CoordinationV1Api);
    if (!leases) throw new Error('leader election needs a kubeconfig or a lease client');
    this.leases = leases;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Whether this replica may write now: it leads and its last renew is still valid. */
  mayWrite(): boolean {
    return this.leading && this.clock.monotonicMs() < this.validUntilMs;
  }

  /** How long the election loop has gone without finishing an attempt beyond its bound. */
  get stalledForMs(): number {
    if (this.stopped) return 0;
    const bound = this.options.retryPeriodMs + 2 * this.options.requestTimeoutMs;
    return Math.max(0, this.clock.monotonicMs() - this.lastAttemptMs - bound);
  }

  start(): void {
    this.stopped = false;
    this.lastAttemptMs = this.clock.monotonicMs();
    this.schedule(0);
  }

  /** Stops trying; with `release` the lease is handed back so a standby takes over at once. */
  async stop(release: boolean): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.tick;
    const wasLeading = this.leading;
    await this.stepDown();
    if (release && wasLeading) await this.release();
  }

  private schedule(delayMs: number): void {
    this.timer = this.clock.after(delayMs, () => {
      this.tick = this.attempt().finally(() => {
        this.lastAttemptMs = this.clock.monotonicMs();
        if (!this.stopped) this.schedule(this.options.retryPeriodMs);
      });
    });
  }

  private async attempt(): Promise<void> {
    const sentAtMs = this.clock.monotonicMs();
    try {
      const renewed = await this.tryAcquireOrRenew();
      if (renewed && !this.stopped) this.renewedAt(sentAtMs);
    } catch (error) {
      this.options.logger.warn({ err: describe(error) }, 'leader election: lease update failed');
    }
  }

  /** A renew sent at `sentAtMs` succeeded: writes are allowed until its deadline. */
  private renewedAt(sentAtMs: number): void {
    const validUntilMs = sentAtMs + this.options.renewDeadlineMs;
    if (this.clock.monotonicMs() >= validUntilMs) return;
    this.validUntilMs = validUntilMs;
    this.fence?.cancel();
    this.fence = this.clock.after(validUntilMs - this.clock.monotonicMs(), () => {
      void this.lose();
    });
    if (!this.leading) this.becomeLeader();
  }

  private becomeLeader(): void {
    this.leading = true;
    this.options.logger.info({ identity: this.options.identity }, 'leader election: became leader');
    this.options.onStartedLeading();
  }

  private async lose(): Promise<void> {
    if (!this.leading || this.clock.monotonicMs() < this.validUntilMs) return;
    this.options.logger.error(
      'leader election: could not renew the lease before the renew deadline; stopped writing',
    );
    const steppingDown = this.stepDown();
    if (!this.stopped) this.options.onLostLeadership?.();
    await steppingDown;
  }

  private async stepDown(): Promise<void> {
    this.fence?.cancel();
    if (!this.leading) return;
    this.leading = false;
    this.validUntilMs = 0;
    await this.options.onStoppedLeading();
  }

  /** True when we hold the lease after this attempt. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const lease = await this.read();
    if (!lease) {
      await this.bounded(
        'creating the leader lease',
        this.leases.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: this.spec(undefined, true) },
        }),
      );
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
    const now = this.clock.monotonicMs();
    if (this.observed?.record !== record) this.observed = { record, atMs: now };
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    return now - this.observed.atMs > durationMs;
  }

  private spec(lease: V1Lease | undefined, acquiring: boolean): V1LeaseSpec {
    const now = new V1MicroTime(this.clock.now().getTime());
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
      await this.replace(lease, {
        ...rest,
        leaseDurationSeconds: 1,
        renewTime: new V1MicroTime(this.clock.now().getTime()),
      });
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
      return await this.bounded(
        'reading the leader lease',
        this.leases.readNamespacedLease({
          namespace: this.options.namespace,
          name: this.options.name,
        }),
      );
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw new Error('reading the leader lease failed', { cause: error });
    }
  }

  /** A replace carrying the resourceVersion we read: it fails (409) if anyone wrote since. */
  private async replace(lease: V1Lease, spec: V1LeaseSpec): Promise<void> {
    const { namespace, name } = this.options;
    const body: V1Lease = { ...lease, spec };
    await this.bounded(
      'updating the leader lease',
      this.leases.replaceNamespacedLease({ namespace, name, body }),
    );
  }

  /** The call's answer, or a timeout error after `requestTimeoutMs` (an answer after that is ignored). */
  private bounded<T>(what: string, call: Promise<T>): Promise<T> {
    const ms = this.options.requestTimeoutMs;
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = this.clock.after(ms, () => reject(new LeaseTimeoutError(what, ms)));
    });
    call.catch(() => undefined);
    return Promise.race([call, timeout]).finally(() => timer?.cancel());
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
