import { ManualClock, settle } from '@flashsale/testkit';
import { DeadlineExceededError, WorkQueue } from './work-queue.ts';

/** A handler call the spec finishes by hand. */
function gate(): { promise: Promise<undefined>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<undefined>((resolve) => {
    open = () => resolve(undefined);
  });
  return { promise, open };
}

describe('operator: WorkQueue', () => {
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock();
  });

  it('runs one handler per key at a time and runs a key added meanwhile once more', async () => {
    const queue = new WorkQueue({ concurrency: 4, clock });
    let running = 0;
    let most = 0;
    const calls: ReturnType<typeof gate>[] = [];
    queue.start(async () => {
      running += 1;
      most = Math.max(most, running);
      const call = gate();
      calls.push(call);
      await call.promise;
      running -= 1;
      return undefined;
    });
    queue.add('ns/a');
    await settle();
    queue.add('ns/a');
    queue.add('ns/a');
    await settle();
    expect(calls.length).toBe(1);
    calls[0]?.open();
    await settle();
    expect(calls.length).toBe(2);
    calls[1]?.open();
    await settle();
    expect(most).toBe(1);
    expect(calls.length).toBe(2);
    await queue.stop();
  });

  it('retries a failing key with growing delays and honours requeue-after', async () => {
    const times: number[] = [];
    const queue = new WorkQueue({ concurrency: 1, baseRetryMs: 20, random: () => 1, clock });
    queue.start(() => {
      times.push(clock.monotonicMs());
      if (times.length < 3) return Promise.reject(new Error('not yet'));
      return Promise.resolve(times.length === 3 ? { requeueAfterMs: 50 } : undefined);
    });
    queue.add('ns/b');
    await clock.advance(1000);
    await queue.stop();
    // Retries after 20 and 40 ms, then the requeue 50 ms later, then nothing more.
    expect(times).toEqual([0, 20, 60, 110]);
  });

  it('waits out a requeue months ahead instead of running it at once', async () => {
    let calls = 0;
    const queue = new WorkQueue({ concurrency: 1, clock });
    queue.start(() => {
      calls += 1;
      // A sale that opens in 200 days asks to be looked at again then.
      return Promise.resolve({ requeueAfterMs: 200 * 24 * 3600 * 1000 });
    });
    queue.add('ns/far-future');
    await clock.advance(30 * 24 * 3600 * 1000);
    expect(calls).toBe(1);
    await clock.advance(171 * 24 * 3600 * 1000);
    expect(calls).toBe(2);
    await queue.stop();
  });

  it('fails a pass that overruns its deadline, aborts its signal and retries only once it returns', async () => {
    const errors: unknown[] = [];
    const queue = new WorkQueue({
      concurrency: 2,
      deadlineMs: 1000,
      baseRetryMs: 100,
      random: () => 1,
      clock,
      onError: (_key, error) => errors.push(error),
    });
    const signals: AbortSignal[] = [];
    const first = gate();
    queue.start(async (_key, signal) => {
      signals.push(signal);
      if (signals.length === 1) await first.promise;
      return undefined;
    });
    queue.add('ns/slow');
    await clock.advance(999);
    expect(errors).toEqual([]);
    expect(queue.stalledForMs).toBe(0);

    await clock.advance(1);
    expect(errors.length).toBe(1);
    expect(errors[0]).toBeInstanceOf(DeadlineExceededError);
    expect(signals[0]?.aborted).toBeTrue();
    // The retry is due, but the stuck pass still holds the key: no second pass overlaps it.
    await clock.advance(5000);
    expect(signals.length).toBe(1);
    expect(queue.stalledForMs).toBe(5000);

    first.open();
    await settle();
    expect(signals.length).toBe(2);
    expect(queue.stalledForMs).toBe(0);
    await queue.stop();
  });
});
