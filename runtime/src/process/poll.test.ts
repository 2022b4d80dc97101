import { ManualClock, settle } from '@flashsale/testkit';
import { pollUntil, pollUntilTrue, stopwatch } from './poll.ts';

describe('process: pollUntil and stopwatch on a manual clock (unit)', () => {
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock();
  });

  it('returns the first value the probe gives, asking once per interval', async () => {
    let asked = 0;
    const answers = [undefined, undefined, 'ready'];
    const waiting = pollUntil(() => Promise.resolve(answers[asked++]), {
      timeoutMs: 1000,
      intervalMs: 200,
      clock,
    });
    await settle();
    expect(asked).toBe(1);
    await clock.advance(199);
    expect(asked).toBe(1);
    await clock.advance(1);
    expect(asked).toBe(2);
    await clock.advance(200);
    expect(await waiting).toBe('ready');
    expect(asked).toBe(3);
  });

  it('gives undefined once the timeout has passed, after asking at the deadline', async () => {
    let asked = 0;
    let result: string | undefined = 'pending';
    void pollUntil(
      () => {
        asked += 1;
        return Promise.resolve(undefined);
      },
      { timeoutMs: 500, intervalMs: 250, clock },
    ).then((value) => (result = value));
    await clock.advance(499);
    expect(result).toBe('pending');
    await clock.advance(1);
    expect(result).toBeUndefined();
    expect(asked).toBe(3);
  });

  it('asks once even with no time to wait, and ends the wait on the probe’s error', async () => {
    expect(
      await pollUntil(() => Promise.resolve(7), { timeoutMs: 0, intervalMs: 100, clock }),
    ).toBe(7);
    await expectAsync(
      pollUntil(() => Promise.reject(new Error('exited')), {
        timeoutMs: 1000,
        intervalMs: 100,
        clock,
      }),
    ).toBeRejectedWithError('exited');
  });

  it('takes the pause from a function when it varies', async () => {
    const pauses = [100, 1000];
    let asked = 0;
    void pollUntil(
      () => {
        asked += 1;
        return Promise.resolve(undefined);
      },
      { timeoutMs: 10_000, intervalMs: () => pauses.shift() ?? 50, clock },
    );
    await settle();
    await clock.advance(100);
    expect(asked).toBe(2);
    await clock.advance(999);
    expect(asked).toBe(2);
    await clock.advance(1);
    expect(asked).toBe(3);
  });

  it('answers a yes/no wait with whether the yes came in time', async () => {
    const answers = [false, true];
    const yes = pollUntilTrue(() => Promise.resolve(answers.shift() ?? false), {
      timeoutMs: 1000,
      intervalMs: 100,
      clock,
    });
    await settle();
    await clock.advance(100);
    expect(await yes).toBeTrue();
    const never = pollUntilTrue(() => Promise.resolve(false), {
      timeoutMs: 300,
      intervalMs: 100,
      clock,
    });
    await settle();
    await clock.advance(300);
    expect(await never).toBeFalse();
  });

  it('measures elapsed time on the monotonic clock, not the wall clock', async () => {
    const watch = stopwatch(clock);
    await clock.advance(1234);
    clock.setWall(new Date('2020-01-01T00:00:00Z'));
    expect(watch.elapsedMs()).toBe(1234);
    expect(watch.seconds()).toBe('1.2');
    expect(watch.seconds(0)).toBe('1');
  });
});
