import { eventually } from '@flashsale/testkit';
import type { Sale } from '../sales/sale.ts';
import { SaleEventsHub } from './sale-events-hub.ts';

/** A sale that counts how often it is serialised to JSON. */
function countedSale(remaining: number, counter: { serialised: number }): Sale {
  const sale: Sale = {
    name: 'hub-probe',
    title: 'Hub probe',
    sku: 'HUB-1',
    priceCents: 100,
    stock: 10,
    remaining,
    perUserLimit: 1,
    startsAt: '2026-01-01T00:00:00.000Z',
    endsAt: '2099-01-01T00:00:00.000Z',
    state: 'active',
    serverTime: new Date().toISOString(),
  };
  return Object.assign(sale, {
    toJSON: () => {
      counter.serialised += 1;
      return { ...sale, toJSON: undefined };
    },
  });
}

describe('sale-events-hub: fan-out of sale updates (unit)', () => {
  let hub: SaleEventsHub | undefined;

  afterEach(() => hub?.stop());

  it('serialises an update once and hands the same message to every one of 500 clients', async () => {
    const counter = { serialised: 0 };
    let remaining = 10;
    hub = new SaleEventsHub(
      () => Promise.resolve(countedSale(remaining, counter)),
      { tickMs: 20, heartbeatMs: 60_000 },
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
    await eventually('every client to get the update', () =>
      Promise.resolve(frames.every((received) => received.length === 2) ? true : undefined),
    );
    expect(counter.serialised).toBe(1);
    const update = frames[0]?.[1] ?? '';
    expect(update).toMatch(/^event: sale\ndata: \{.*\}\n\n$/);
    for (const received of frames) expect(received[1]).toBe(update);
    expect(JSON.parse(update.split('\n')[1]?.slice('data: '.length) ?? '')).toEqual(
      jasmine.objectContaining({ name: 'hub-probe', remaining: 9 }),
    );
  });

  it('forgets a sale once its last client unsubscribes', () => {
    hub = new SaleEventsHub(
      () => Promise.resolve(undefined),
      { tickMs: 20, heartbeatMs: 60_000 },
      (error) => fail(error),
    );
    const sale = countedSale(1, { serialised: 0 });
    const leave = [
      hub.subscribe(sale, { send: () => undefined }),
      hub.subscribe(sale, { send: () => undefined }),
    ];
    expect(hub.clientCount).toBe(2);
    for (const unsubscribe of leave) unsubscribe();
    expect(hub.clientCount).toBe(0);
  });
});
