import { systemClock, type Clock, type Timer } from './clock.ts';

/** What a handler asks for after a successful pass: nothing, or another pass later. */
export interface WorkOutcome {
  readonly requeueAfterMs?: number;
}

/** The signal aborts when the pass overruns its deadline: no further step should start. */
export type WorkHandler = (key: string, signal: AbortSignal) => Promise<WorkOutcome | undefined>;

export interface WorkQueueOptions {
  readonly concurrency: number;
  /** First retry delay after a failure; doubles per consecutive failure of the key. */
  readonly baseRetryMs?: number;
  readonly maxRetryMs?: number;
  /** How long one pass may take before it counts as failed (its signal aborts). */
  readonly deadlineMs?: number;
  readonly onError?: (key: string, error: unknown, retryInMs: number) => void;
  readonly random?: () => number;
  readonly clock?: Clock;
}

/** The longest delay a Node.js timer holds (2^31 - 1 ms). */
export const maxTimerDelayMs = 2 ** 31 - 1;

export class DeadlineExceededError extends Error {
  constructor(key: string, deadlineMs: number) {
    super(`the reconcile of ${key} overran its ${deadlineMs} ms deadline`);
    this.name = 'DeadlineExceededError';
  }
}

interface Active {
  readonly startedMs: number;
  readonly abort: AbortController;
  timedOut: boolean;
}

/**
 * A queue of object keys in the style of client-go's workqueue: a key waits at most once,
 * at most one handler runs per key (a key added while it is being handled runs once more
 * afterwards, so no change is lost and no two reconciles of one object race), failures are
 * retried with per-key exponential backoff, and a handler can ask to be called again later.
 *
 * Each pass has a deadline: when it overruns, its signal aborts and it counts as failed.
 * The key stays busy until the handler really returns (so passes of one key never overlap),
 * and `stalledForMs` tells how long the oldest overrunning handler has been stuck, which
 * is what the liveness probe watches.
 */
export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly active = new Map<string, Active>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: Timer }>();
  private readonly failures = new Map<string, number>();
  private readonly idle = new Set<() => void>();
  private readonly clock: Clock;
  private handler: WorkHandler | undefined;

  constructor(private readonly options: WorkQueueOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get depth(): number {
    return this.ready.length;
  }

  /** How long past its deadline the most overdue running pass is (0: none is overdue). */
  get stalledForMs(): number {
    const deadline = this.options.deadlineMs;
    if (deadline === undefined) return 0;
    const now = this.clock.monotonicMs();
    let worst = 0;
    for (const { startedMs } of this.active.values())
      worst = Math.max(worst, now - startedMs - deadline);
    return worst;
  }

  /** Starts handing keys to `handler`, up to `concurrency` at once. */
  start(handler: WorkHandler): void {
    this.handler = handler;
    this.pump();
  }

  /** Stops taking keys, forgets everything pending and waits for running handlers. */
  async stop(): Promise<void> {
    this.handler = undefined;
    for (const { timer } of this.timers.values()) timer.cancel();
    this.timers.clear();
    this.ready.length = 0;
    this.waiting.clear();
    this.dirty.clear();
    this.failures.clear();
    if (this.active.size === 0) return;
    for (const { abort } of this.active.values()) abort.abort(new Error('the queue is stopping'));
    await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  add(key: string): void {
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Adds the key after `delayMs`; an earlier pending timer for the key wins. */
  addAfter(key: string, delayMs: number): void {
    const at = this.clock.monotonicMs() + Math.max(0, delayMs);
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    // Node fires a timer longer than ~24.8 days at once: a sale months ahead would be
    // reconciled in a hot loop. Such a wait is made of shorter timers instead.
    const timer = this.clock.after(Math.min(at - this.clock.monotonicMs(), maxTimerDelayMs), () => {
      this.timers.delete(key);
      const left = at - this.clock.monotonicMs();
      if (left > 0) this.addAfter(key, left);
      else this.add(key);
    });
    this.timers.set(key, { at, timer });
  }

  private pump(): void {
    while (this.handler && this.active.size < this.options.concurrency) {
      const key = this.ready.shift();
      if (key === undefined) return;
      this.waiting.delete(key);
      const entry: Active = {
        startedMs: this.clock.monotonicMs(),
        abort: new AbortController(),
        timedOut: false,
      };
      this.active.set(key, entry);
      void this.run(this.handler, key, entry);
    }
  }

  private async run(handler: WorkHandler, key: string, entry: Active): Promise<void> {
    const deadline = this.watchDeadline(key, entry);
    try {
      const outcome = await handler(key, entry.abort.signal);
      if (entry.timedOut) return;
      this.failures.delete(key);
      if (outcome?.requeueAfterMs !== undefined) this.addAfter(key, outcome.requeueAfterMs);
    } catch (error) {
      if (!entry.timedOut) this.retryLater(key, error);
    } finally {
      deadline?.cancel();
      this.finish(key);
    }
  }

  /** At the deadline the pass counts as failed at once; its retry waits for it to return. */
  private watchDeadline(key: string, entry: Active): Timer | undefined {
    const { deadlineMs } = this.options;
    if (deadlineMs === undefined) return undefined;
    return this.clock.after(deadlineMs, () => {
      entry.timedOut = true;
      const error = new DeadlineExceededError(key, deadlineMs);
      entry.abort.abort(error);
      this.retryLater(key, error);
    });
  }

  private retryLater(key: string, error: unknown): void {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const base = this.options.baseRetryMs ?? 500;
    const ceiling = Math.min(this.options.maxRetryMs ?? 60_000, base * 2 ** (failures - 1));
    // Half fixed, half jitter: retries of many keys failing together spread out.
    const delay = Math.round(ceiling / 2 + (ceiling / 2) * (this.options.random ?? Math.random)());
    this.options.onError?.(key, error, delay);
    if (this.handler) this.addAfter(key, delay);
  }

  private finish(key: string): void {
    this.active.delete(key);
    if (this.dirty.delete(key) && this.handler) this.add(key);
    this.pump();
    if (this.active.size > 0) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }
}
