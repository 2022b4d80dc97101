import type { V1Lease } from '@kubernetes/client-node';
import { createLogger } from '@flashsale/runtime';
import { LeaderElector, type LeaseClient } from './leader-election.ts';
import { ManualClock } from '@flashsale/testkit';

/** An in-memory Lease with the API server's compare-and-swap; it can stop answering. */
class FakeLeases implements LeaseClient {
  lease: V1Lease | undefined;
  hanging = false;
  private version = 0;

  private answer<T>(value: () => T): Promise<T> {
    if (this.hanging) return new Promise<T>(() => undefined);
    return new Promise<T>((resolve) => resolve(value()));
  }

  readNamespacedLease(): Promise<V1Lease> {
    return this.answer(() => {
      if (!this.lease) throw Object.assign(new Error('not found'), { code: 404 });
      return structuredClone(this.lease);
    });
  }

  createNamespacedLease(request: { body: V1Lease }): Promise<V1Lease> {
    return this.answer(() => this.store(request.body));
  }

  replaceNamespacedLease(request: { body: V1Lease }): Promise<V1Lease> {
    return this.answer(() => {
      if (request.body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion)
        throw Object.assign(new Error('conflict'), { code: 409 });
      return this.store(request.body);
    });
  }

  private store(body: V1Lease): V1Lease {
    this.version += 1;
    this.lease = {
      ...structuredClone(body),
      metadata: { ...body.metadata, resourceVersion: String(this.version) },
    };
    return structuredClone(this.lease);
  }
}

const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 250 };

describe('operator: leader lease fence', () => {
  const logger = createLogger('operator', 'silent');
  let clock: ManualClock;
  let leases: FakeLeases;
  const events: string[] = [];

  function elector(identity: string): LeaderElector {
    return new LeaderElector(undefined, {
      namespace: 'ns',
      name: 'lease',
      identity,
      ...timing,
      requestTimeoutMs: 500,
      logger,
      clock,
      leases,
      onStartedLeading: () => events.push(`${identity} leads`),
      onStoppedLeading: () => {
        events.push(`${identity} stopped`);
        return Promise.resolve();
      },
      onLostLeadership: () => events.push(`${identity} lost`),
    });
  }

  /** Stops electors whose calls may hang: their timeouts run on the manual clock. */
  async function stopAll(...electors: LeaderElector[]): Promise<void> {
    const stopping = Promise.all(electors.map((elector) => elector.stop(false)));
    await clock.advance(2000);
    await stopping;
  }

  beforeEach(() => {
    clock = new ManualClock();
    leases = new FakeLeases();
    events.length = 0;
  });

  it('stops writing at the renew deadline of its last renew, while the API server hangs', async () => {
    const a = elector('a');
    a.start();
    await clock.advance(0);
    expect(a.mayWrite()).toBeTrue();
    leases.hanging = true;
    // Renewed at 0 (and at 250 ms, the last answered try): valid until 2000 ms.
    await clock.advance(1999);
    expect(a.mayWrite()).toBeTrue();
    await clock.advance(1);
    expect(a.mayWrite()).toBeFalse();
    expect(a.isLeader).toBeFalse();
    expect(events).toEqual(['a leads', 'a stopped', 'a lost']);
    await stopAll(a);
  });

  it('gives up on a renew that gets no answer and leads again once the API server answers', async () => {
    const a = elector('a');
    a.start();
    await clock.advance(0);
    leases.hanging = true;
    await clock.advance(3000);
    expect(a.mayWrite()).toBeFalse();
    // Each hung call timed out (500 ms), so the loop kept trying and is not stalled.
    expect(a.stalledForMs).toBe(0);
    leases.hanging = false;
    await clock.advance(1000);
    expect(a.mayWrite()).toBeTrue();
    expect(events).toEqual(['a leads', 'a stopped', 'a lost', 'a leads']);
    await stopAll(a);
  });

  it('refuses writes the moment a frozen process runs again, before any of its timers fire', async () => {
    const a = elector('a');
    a.start();
    await clock.advance(0);
    expect(a.mayWrite()).toBeTrue();
    // SIGSTOP: time passes, nothing of the process runs, its timers are overdue.
    clock.freeze(5000);
    expect(a.mayWrite()).toBeFalse();
    await stopAll(a);
  });

  it('lets a standby take over only after the old leader stopped writing', async () => {
    const a = elector('a');
    const b = elector('b');
    a.start();
    await clock.advance(0);
    b.start();
    await clock.advance(0);
    expect(events).toEqual(['a leads']);
    let aStoppedAt: number | undefined;
    let bLeadsAt: number | undefined;
    leases.hanging = true;
    await clock.advance(300);
    leases.hanging = false;
    // a is cut off from the API server; b still talks to it.
    const aLeases = leases;
    spyOn(aLeases, 'replaceNamespacedLease').and.callFake((request) =>
      request.body.spec?.holderIdentity === 'a'
        ? new Promise<V1Lease>(() => undefined)
        : FakeLeases.prototype.replaceNamespacedLease.call(aLeases, request),
    );
    for (let step = 0; step < 80 && bLeadsAt === undefined; step += 1) {
      await clock.advance(100);
      if (aStoppedAt === undefined && !a.mayWrite()) aStoppedAt = clock.monotonicMs();
      if (b.mayWrite()) bLeadsAt = clock.monotonicMs();
    }
    expect(aStoppedAt).toBeDefined();
    expect(bLeadsAt).toBeDefined();
    expect(aStoppedAt ?? Infinity).toBeLessThan(bLeadsAt ?? 0);
    expect(leases.lease?.spec?.holderIdentity).toBe('b');
    await stopAll(a, b);
  });

  it('lets a standby take a killed leader’s lease once it expires: not sooner, within a retry period or two', async () => {
    const a = elector('a');
    const b = elector('b');
    a.start();
    await clock.advance(0);
    b.start();
    await clock.advance(1000);
    // Killed: it stops without handing the lease back, which then has to expire.
    await a.stop(false);
    const lastRenewMs = new Date(leases.lease?.spec?.renewTime ?? 0).getTime();
    let bLeadsMs: number | undefined;
    for (let step = 0; step < 100 && bLeadsMs === undefined; step += 1) {
      await clock.advance(50);
      if (b.mayWrite()) bLeadsMs = clock.now().getTime();
    }
    expect(bLeadsMs).withContext('b never led').toBeDefined();
    const afterRenewMs = (bLeadsMs ?? 0) - lastRenewMs;
    expect(afterRenewMs).toBeGreaterThan(timing.leaseDurationMs);
    expect(afterRenewMs).toBeLessThanOrEqual(timing.leaseDurationMs + 2 * timing.retryPeriodMs);
    expect(leases.lease?.spec?.holderIdentity).toBe('b');
    expect(events).toEqual(['a leads', 'a stopped', 'b leads']);
    await stopAll(a, b);
  });

  it('hands the lease back on a graceful stop: the standby leads at its next try', async () => {
    const a = elector('a');
    const b = elector('b');
    a.start();
    await clock.advance(0);
    b.start();
    await clock.advance(1000);
    await a.stop(true);
    expect(leases.lease?.spec?.holderIdentity).toBeUndefined();
    await clock.advance(timing.retryPeriodMs);
    expect(b.mayWrite()).toBeTrue();
    expect(events).toEqual(['a leads', 'a stopped', 'b leads']);
    await stopAll(a, b);
  });

  it('judges durations on the monotonic clock, not on a wall clock that jumps', async () => {
    const a = elector('a');
    a.start();
    await clock.advance(0);
    clock.setWall(new Date(clock.now().getTime() + 3_600_000));
    await clock.advance(1000);
    expect(a.mayWrite()).toBeTrue();
    clock.setWall(new Date(clock.now().getTime() - 7_200_000));
    await clock.advance(1000);
    expect(a.mayWrite()).toBeTrue();
    expect(events).toEqual(['a leads']);
    await stopAll(a);
  });
});
