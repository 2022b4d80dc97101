import type { Clock } from '@flashsale/runtime';

// One Clock for every process (see runtime/src/process/clock.ts); the operator adds Redis's.
export { systemClock, type Clock, type Timer } from '@flashsale/runtime';

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
