import { performance } from 'node:perf_hooks';

export interface Timer {
  cancel(): void;
}

/**
 * Time as a process's decisions see it, injected so that specs can drive it (`systemClock`
 * is the default everywhere). `now` is the wall clock (timestamps, comparisons with other
 * machines' times); `monotonicMs` only ever moves forward at the rate of real time, whatever
 * happens to the wall clock, and is what durations and deadlines are measured with.
 */
export interface Clock {
  now(): Date;
  monotonicMs(): number;
  /** Calls `callback` after `delayMs`; the timer does not keep the process alive. */
  after(delayMs: number, callback: () => void): Timer;
  /** Resolves after `delayMs`; unlike `after`, an awaited pause keeps the process alive. */
  sleep(delayMs: number): Promise<void>;
}

// The timer functions are looked up at each call, so that jasmine.clock() can stand in.
export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
  after: (delayMs, callback) => {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
  sleep: (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs)),
};
