import { requeueDelayMs } from './sale-state.ts';

describe('operator: sale timing', () => {
  const now = new Date('2026-01-01T10:00:00Z');
  const window = {
    startsAt: new Date('2026-01-01T10:10:00Z'),
    endsAt: new Date('2026-01-01T10:20:00Z'),
    warmupSeconds: 300,
  };

  it('sleeps until the next boundary while nothing moves, not polling', () => {
    const delay = requeueDelayMs(window, { state: 'Upcoming', sold: 0, persisted: 0 }, now, 5000);
    expect(delay).toBe(5 * 60_000 + 50);
  });

  it('refreshes every few seconds while Active and stops after the end', () => {
    const active = new Date('2026-01-01T10:15:00Z');
    expect(requeueDelayMs(window, { state: 'Active', sold: 1, persisted: 1 }, active, 5000)).toBe(
      5000,
    );
    const after = new Date('2026-01-01T10:30:00Z');
    expect(
      requeueDelayMs(window, { state: 'Ended', sold: 3, persisted: 3 }, after, 5000),
    ).toBeUndefined();
  });
});
