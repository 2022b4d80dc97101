import { Reason } from './conditions.ts';
import { desiredStatus, sameStatus, statusEvents, type SaleObservation } from './status.ts';

const capacity = {
  type: 'CapacityReady',
  status: 'True',
  reason: Reason.NoCapacityRequested,
  message: 'none',
} as const;
const levels = { state: 'Active', stock: 10, sold: 4, remaining: 6, persisted: 4 } as const;

describe('operator: FlashSale status', () => {
  const first: SaleObservation = {
    generation: 1,
    capacity,
    levels,
    configured: { status: 'ok', sold: 4, stock: 10 },
  };
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:01:00Z');

  it('keeps lastTransitionTime while a condition holds and writes nothing new', () => {
    const before = desiredStatus(undefined, first, t0);
    const again = desiredStatus(before, { generation: 1, capacity, levels }, t1);
    expect(again.conditions?.map((c) => c.lastTransitionTime)).toEqual(
      before.conditions?.map(() => '2026-01-01T00:00:00Z'),
    );
    expect(sameStatus(before, again)).toBeTrue();
    expect(statusEvents(before, again)).toEqual([]);
  });

  it('refuses stock below sold: Degraded with the numbers, StockConfigured untouched', () => {
    const before = desiredStatus(undefined, first, t0);
    const refused = desiredStatus(
      before,
      { generation: 2, capacity, levels, configured: { status: 'below_sold', sold: 4, stock: 3 } },
      t1,
    );
    const degraded = refused.conditions?.find((c) => c.type === 'Degraded');
    expect(degraded?.reason).toBe(Reason.StockBelowSold);
    expect(degraded?.message).toContain('stock 3 is below the 4 units already sold');
    expect(degraded?.lastTransitionTime).toBe('2026-01-01T00:01:00Z');
    expect(refused.conditions?.find((c) => c.type === 'StockConfigured')).toEqual(
      before.conditions?.find((c) => c.type === 'StockConfigured'),
    );
    expect(statusEvents(before, refused).map((e) => e.reason)).toEqual([Reason.StockBelowSold]);
  });

  it('reports an invalid spec as Degraded without inventing figures', () => {
    const status = desiredStatus(
      undefined,
      { generation: 1, capacity, invalidSpec: 'stock: too small' },
      t0,
    );
    expect(status.state).toBeUndefined();
    expect(status.conditions?.find((c) => c.type === 'Degraded')?.reason).toBe(Reason.InvalidSpec);
    expect(status.conditions?.find((c) => c.type === 'StockConfigured')?.status).toBe('False');
    expect(status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  });
});
