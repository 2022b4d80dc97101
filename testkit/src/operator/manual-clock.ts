import type { Clock, Timer } from '@flashsale/runtime';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** Lets queued promise callbacks run (a few rounds, for chains of awaits). */
export async function settle(rounds = 20): Promise<void> {
  for (let round = 0; round < rounds; round += 1)
    await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock for unit specs: time stands still until `advance` moves it, firing due timers in
 * order and letting the promises they start run in between. Nothing waits for real time.
 */
export class ManualClock implements Clock {
  private monotonic = 0;
  private wall: number;
  private seq = 0;
  private readonly pending = new Set<Pending>();

  constructor(start = new Date('2026-06-01T12:00:00Z')) {
    this.wall = start.getTime();
  }

  now(): Date {
    return new Date(this.wall);
  }

  monotonicMs(): number {
    return this.monotonic;
  }

  after(delayMs: number, callback: () => void): Timer {
    const entry = { at: this.monotonic + Math.max(0, delayMs), seq: (this.seq += 1), callback };
    this.pending.add(entry);
    return { cancel: () => this.pending.delete(entry) };
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Moves the wall clock alone, as an NTP step would. */
  setWall(time: Date): void {
    this.wall = time.getTime();
  }

  /**
   * Moves time on without running anything, as for a process under SIGSTOP: its timers are
   * overdue and fire at the next `advance`.
   */
  freeze(ms: number): void {
    this.monotonic += ms;
    this.wall += ms;
  }

  get timers(): number {
    return this.pending.size;
  }

  async advance(ms: number): Promise<void> {
    const target = this.monotonic + ms;
    await settle();
    for (;;) {
      const next = [...this.pending]
        .filter((entry) => entry.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.pending.delete(next);
      const at = Math.max(next.at, this.monotonic);
      this.wall += at - this.monotonic;
      this.monotonic = at;
      next.callback();
      await settle();
    }
    this.wall += target - this.monotonic;
    this.monotonic = target;
    await settle();
  }
}
