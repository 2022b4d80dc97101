import { TestBed } from '@angular/core/testing';
import { BROWSER_NOW } from './browser-clock';
import { ServerClock } from './server-clock';

describe('ServerClock', () => {
  it('follows the server clock, not the browser clock', () => {
    const clock = TestBed.inject(ServerClock);
    const browserNow = Date.parse('2030-01-01T12:00:00.000Z');
    // The browser runs 90 s fast.
    clock.observe('2030-01-01T11:58:30.000Z', browserNow);
    expect(clock.now()).toBe(Date.parse('2030-01-01T11:58:30.000Z'));
    clock.tick(browserNow + 2000);
    expect(clock.now()).toBe(Date.parse('2030-01-01T11:58:32.000Z'));
  });

  it('reads the browser time from the injected clock when it is not given', () => {
    let browserNow = Date.parse('2030-01-01T12:00:00.000Z');
    TestBed.configureTestingModule({
      providers: [{ provide: BROWSER_NOW, useValue: () => browserNow }],
    });
    const clock = TestBed.inject(ServerClock);
    clock.observe('2030-01-01T11:58:30.000Z');
    browserNow += 5000;
    clock.tick();
    expect(clock.now()).toBe(Date.parse('2030-01-01T11:58:35.000Z'));
  });

  it('ignores a serverTime it cannot read', () => {
    const clock = TestBed.inject(ServerClock);
    clock.observe('2030-01-01T00:00:00.000Z', 1000);
    clock.observe('not a time', 5000);
    clock.tick(1000);
    expect(clock.now()).toBe(Date.parse('2030-01-01T00:00:00.000Z'));
  });
});
