/** What a handler asks for after a successful pass: nothing, or another pass later. */
export interface WorkOutcome {
  readonly requeueAfterMs?: number;
}

export type WorkHandler = (key: string) => Promise<WorkOutcome | undefined>;

export interface WorkQueueOptions {
  readonly concurrency: number;
  /** First retry delay after a failure; doubles per consecutive failure of the key. */
  readonly baseRetryMs?: number;
  readonly maxRetryMs?: number;
  readonly onError?: (key: string, error: unknown, retryInMs: number) => void;
  readonly random?: () => number;
}

/** The longest delay a Node.js timer holds (2^31 - 1 ms). */
export const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * A queue of object keys in the style of client-go's workqueue: a key waits at most once,
 * at most one handler runs per key (a key added while it is being handled runs once more
 * afterwards, so no change is lost and no two reconciles of one object race), failures are
 * retried with per-key exponential backoff, and a handler can ask to be called again later.
 */
export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly idle = new Set<() => void>();
  private handler: WorkHandler | undefined;

  constructor(private readonly options: WorkQueueOptions) {}

  get depth(): number {
    return this.ready.length;
  }

  /** Starts handing keys to `handler`, up to `concurrency` at once. */
  start(handler: WorkHandler): void {
    this.handler = handler;
    this.pump();
  }

  /** Stops taking keys, forgets everything pending and waits for running handlers. */
  async stop(): Promise<void> {
    this.handler = undefined;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.waiting.clear();
    this.dirty.clear();
    this.failures.clear();
    if (this.active.size === 0) return;
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
    const at = Date.now() + Math.max(0, delayMs);
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    // Node fires a timer longer than ~24.8 days at once: a sale months ahead would be
    // reconciled in a hot loop. Such a wait is made of shorter timers instead.
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        const left = at - Date.now();
        if (left > 0) this.addAfter(key, left);
        else this.add(key);
      },
      Math.min(at - Date.now(), maxTimerDelayMs),
    );
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  private pump(): void {
    while (this.handler && this.active.size < this.options.concurrency) {
      const key = this.ready.shift();
      if (key === undefined) return;
      this.waiting.delete(key);
      this.active.add(key);
      void this.run(this.handler, key);
    }
  }

  private async run(handler: WorkHandler, key: string): Promise<void> {
    try {
      const outcome = await handler(key);
      this.failures.delete(key);
      if (outcome?.requeueAfterMs !== undefined) this.addAfter(key, outcome.requeueAfterMs);
    } catch (error) {
      this.retryLater(key, error);
    } finally {
      this.finish(key);
    }
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
