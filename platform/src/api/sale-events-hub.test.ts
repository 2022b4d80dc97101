import type { Sale } from '@flashsale/contract';
import { systemClock, type Clock } from '@flashsale/runtime';
import { SaleEventsHub } from './sale-events-hub.ts';

const start = new Date('2026-06-01T12:00:00.000Z');

/** Steps the spec gave the wall clock (as NTP would): monotonic time does not see them. */
let wallStepsMs = 0;

/**
 * The system clock under jasmine.clock(): its timers and `new Date()` are the mock's, and
 * monotonic time follows the mocked date (which only moves when the spec ticks it) but not
 * the steps of `stepWall`.
 */
const mockedClock: Clock = { ...systemClock, monotonicMs: () => Date.now() - wallStepsMs };

function stepWall(ms: number): void {
  wallStepsMs += ms;
  jasmine.clock().mockDate(new Date(Date.now() + ms));
}

/** Lets the reads a tick started, and what they send, run to the end. */
async function settle(): Promise<void> {
  for (let round = 0; round < 10; round += 1)
    await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Moves the mocked time on by `ms`, firing due ticks, then lets their reads finish. */
async function advance(ms: number): Promise<void> {
  jasmine.clock().tick(ms);
  await settle();
}

function probeSale(fields: Partial<Sale> = {}): Sale {
  return {
    name: 'hub-probe',
    title: 'Hub probe',
    sku: 'HUB-1',
    priceCents: 100,
    stock: 10,
    remaining: 10,
    perUserLimit: 1,
    startsAt: '2026-01-01T00:00:00.000Z',
    endsAt: '2099-01-01T00:00:00.000Z',
    state: 'active',
    serverTime: new Date().toISOString(),
    ...fields,
  };
}

/** A sale that counts how often it is serialised to JSON. */
function countedSale(remaining: number, counter: { serialised: number }): Sale {
  const sale = probeSale({ remaining });
  return Object.assign(sale, {
    toJSON: () => {
      counter.serialised += 1;
      return { ...sale, toJSON: undefined };
    },
  });
}

describe('sale-events-hub: fan-out of sale updates (unit)', () => {
  let hub: SaleEventsHub | undefined;

  beforeEach(() => {
    wallStepsMs = 0;
    jasmine.clock().install();
    jasmine.clock().mockDate(start);
  });

  afterEach(() => {
    hub?.stop();
    jasmine.clock().uninstall();
  });

  /** A started hub over `read`, ticking every 20 ms; returns what one client received. */
  function watched(read: () => Sale, heartbeatMs: number, initial = read()): string[] {
    const received: string[] = [];
    hub = new SaleEventsHub(
      () => Promise.resolve(read()),
      { tickMs: 20, heartbeatMs, clock: mockedClock },
      (error) => fail(error),
    );
    hub.subscribe(initial, { send: (frame) => received.push(frame) });
    hub.start();
    return received;
  }

  it('serialises an update once and hands the same message to every one of 500 clients', async () => {
    const counter = { serialised: 0 };
    let remaining = 10;
    hub = new SaleEventsHub(
      () => Promise.resolve(countedSale(remaining, counter)),
      { tickMs: 20, heartbeatMs: 60_000, clock: mockedClock },
      (error) => fail(error),
    );
    const frames: string[][] = Array.from({ length: 500 }, () => []);
    const initial = countedSale(remaining, { serialised: 0 });
    for (const received of frames)
      hub.subscribe(initial, { send: (frame) => received.push(frame) });
    hub.start();

    remaining = 9;
    counter.serialised = 0;
    hub.markChanged('hub-probe');
    await advance(20);
    expect(frames.map((received) => received.length)).toEqual(frames.map(() => 2));
    expect(counter.serialised).toBe(1);
    const update = frames[0]?.[1] ?? '';
    expect(update).toMatch(/^event: sale\ndata: \{.*\}\n\n$/);
    for (const received of frames) expect(received[1]).toBe(update);
    expect(JSON.parse(update.split('\n')[1]?.slice('data: '.length) ?? '')).toEqual(
      jasmine.objectContaining({ name: 'hub-probe', remaining: 9 }),
    );
  });

  it('coalesces the changes of one tick into one read, and sends nothing while nothing changes', async () => {
    let reads = 0;
    const received = watched(() => {
      reads += 1;
      return probeSale({ remaining: 10 - reads });
    }, 60_000);
    reads = 0;
    await advance(200);
    expect(reads).toBe(0);
    expect(received.length).toBe(1);

    for (let change = 0; change < 5; change += 1) hub?.markChanged('hub-probe');
    await advance(20);
    expect(reads).toBe(1);
    expect(received.length).toBe(2);
  });

  it('reads the sale again every heartbeat while nothing changes, and not sooner', async () => {
    let reads = 0;
    const received = watched(() => {
      reads += 1;
      return probeSale();
    }, 15_000);
    reads = 0;
    await advance(14_980);
    expect(reads).toBe(0);
    await advance(20);
    expect(reads).toBe(1);
    expect(received.length).toBe(2);
    await advance(14_980);
    expect(reads).toBe(1);
    await advance(20);
    expect(reads).toBe(2);
  });

  it('sends as soon as the sale starts by the server’s clock, not at the next heartbeat', async () => {
    // The server's clock is 30 s ahead of ours; the sale starts 10 s from now on it.
    const serverNow = new Date(start.getTime() + 30_000);
    const startsAt = new Date(serverNow.getTime() + 10_000).toISOString();
    const fields = { state: 'upcoming' as const, startsAt, serverTime: serverNow.toISOString() };
    let reads = 0;
    const received = watched(
      () => {
        reads += 1;
        return probeSale({ ...fields, state: 'active' });
      },
      60_000,
      probeSale(fields),
    );
    await advance(9_980);
    expect(reads).toBe(0);
    await advance(20);
    expect(reads).toBe(1);
    expect(received.at(-1)).toContain('"state":"active"');
    // Active now: the next read waits for a change, the end or the heartbeat.
    await advance(1_000);
    expect(reads).toBe(1);
  });

  it('keeps the heartbeat on monotonic time when the wall clock is stepped', async () => {
    let reads = 0;
    watched(() => {
      reads += 1;
      return probeSale();
    }, 15_000);
    reads = 0;
    stepWall(3_600_000);
    await advance(20);
    expect(reads).toBe(0);
    stepWall(-7_200_000);
    await advance(14_960);
    expect(reads).toBe(0);
    await advance(20);
    expect(reads).toBe(1);
  });

  it('forgets a sale once its last client unsubscribes', () => {
    hub = new SaleEventsHub(
      () => Promise.resolve(undefined),
      { tickMs: 20, heartbeatMs: 60_000, clock: mockedClock },
      (error) => fail(error),
    );
    const sale = probeSale({ remaining: 1 });
    const leave = [
      hub.subscribe(sale, { send: () => undefined }),
      hub.subscribe(sale, { send: () => undefined }),
    ];
    expect(hub.clientCount).toBe(2);
    for (const unsubscribe of leave) unsubscribe();
    expect(hub.clientCount).toBe(0);
  });
});
