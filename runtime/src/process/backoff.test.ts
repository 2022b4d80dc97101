import { backoffDelayMs, defaultBackoff } from './backoff.ts';

describe('persistence: retry backoff', () => {
  const lowest = (): number => 0;
  const highest = (): number => 0.999_999;

  it('doubles from 200 ms and stops growing at 5 s', () => {
    const ceilings = Array.from({ length: 8 }, (_, attempt) =>
      backoffDelayMs(attempt, defaultBackoff, highest),
    );
    expect(ceilings).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('jitters only the upper half of each delay', () => {
    const floors = Array.from({ length: 7 }, (_, attempt) =>
      backoffDelayMs(attempt, defaultBackoff, lowest),
    );
    expect(floors).toEqual([100, 200, 400, 800, 1600, 2500, 2500]);
  });

  it('stays at the ceiling for attempts far past it', () => {
    expect(backoffDelayMs(10_000, defaultBackoff, highest)).toBe(5000);
    expect(backoffDelayMs(-3, defaultBackoff, highest)).toBe(200);
  });

  it('follows the options it is given', () => {
    expect(backoffDelayMs(3, { initialMs: 10, maxMs: 50 }, highest)).toBe(50);
    expect(backoffDelayMs(1, { initialMs: 10, maxMs: 50 }, lowest)).toBe(10);
  });
});
