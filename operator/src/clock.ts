import { performance } from 'node:perf_hooks';

export interface Timer {
  cancel(): void;
}

/**
 * Time as the operator's decisions see it, injected so that specs can drive it. `now` is the
 * wall clock (timestamps, comparisons with other machines' times); `monotonicMs` only ever
 * moves forward at the rate of real time, whatever happens to the wall clock, and is what
 * durations and deadlines are measured with.
 */
export interface Clock {
  now(): Date;
  monotonicMs(): number;
  /** Calls `callback` after `delayMs`; the timer does not keep the process alive. */
  after(delayMs: number, callback: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
  after: (delayMs, callback) => {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/**
 * The Redis server's clock as last seen: the sale window is judged on it by the purchase
 * decision, so the operator's start, end and warm-up boundaries follow it too. Between
 * reads it advances with the local monotonic clock from the last offset observed.
 */
export class ServerClock {
  private offsetMs = 0;

  constructor(private readonly local: Clock) {}

  /** Records the server's time as read just now. */
  observe(serverTime: Date): void {
    this.offsetMs = serverTime.getTime() - this.local.now().getTime();
  }

  now(): Date {
    return new Date(this.local.now().getTime() + this.offsetMs);
  }
}
