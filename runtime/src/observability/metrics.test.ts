import { lastKnown } from './metrics.ts';

describe('metrics: lastKnown, a scrape-time reading that never stalls a scrape', () => {
  it('answers fresh values while the source answers in time', async () => {
    let value = 1;
    const read = lastKnown(() => Promise.resolve(value), 0, 1000);
    expect(await read()).toBe(1);
    value = 2;
    expect(await read()).toBe(2);
  });

  it('answers the last known value when the source fails', async () => {
    let fail = false;
    const read = lastKnown(
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve(7)),
      0,
      1000,
    );
    expect(await read()).toBe(7);
    fail = true;
    expect(await read()).toBe(7);
  });

  it('answers the last known value when the source stalls, runs one reading at a time, and takes its value once it lands', async () => {
    let calls = 0;
    let release: (value: number) => void = () => undefined;
    const read = lastKnown(
      () => {
        calls += 1;
        return calls === 1
          ? Promise.resolve(3)
          : new Promise<number>((resolve) => (release = resolve));
      },
      0,
      20,
    );
    expect(await read()).toBe(3);
    expect(await read()).toBe(3);
    expect(await read()).toBe(3);
    expect(calls).toBe(2);
    release(4);
    expect(await read()).toBe(4);
  });

  it('answers the initial value before any reading succeeded', async () => {
    const read = lastKnown(() => new Promise<number>(() => undefined), -1, 10);
    expect(await read()).toBe(-1);
  });
});
