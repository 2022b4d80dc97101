import { systemClock } from './clock.ts';

describe('process: the system clock under jasmine.clock() (unit)', () => {
  beforeEach(() => {
    jasmine.clock().install();
    jasmine.clock().mockDate(new Date('2026-06-01T12:00:00.000Z'));
  });

  afterEach(() => jasmine.clock().uninstall());

  it('fires a timer when it is due and not before, and never once cancelled', () => {
    const fired: string[] = [];
    systemClock.after(1000, () => fired.push('kept'));
    const cancelled = systemClock.after(1000, () => fired.push('cancelled'));
    cancelled.cancel();
    jasmine.clock().tick(999);
    expect(fired).toEqual([]);
    jasmine.clock().tick(1);
    expect(fired).toEqual(['kept']);
    expect(systemClock.now().toISOString()).toBe('2026-06-01T12:00:01.000Z');
  });

  it('ends a sleep when its time has passed', async () => {
    let woke = false;
    const sleeping = systemClock.sleep(250).then(() => (woke = true));
    jasmine.clock().tick(249);
    await Promise.resolve();
    expect(woke).toBeFalse();
    jasmine.clock().tick(1);
    await sleeping;
    expect(woke).toBeTrue();
  });
});
