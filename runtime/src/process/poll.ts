import { systemClock, type Clock } from './clock.ts';

export interface PollOptions {
  /** How long to keep asking, measured on the clock's monotonic time. */
  readonly timeoutMs: number;
  /** The pause between two questions; a function to vary it with what was seen. */
  readonly intervalMs: number | (() => number);
  readonly clock?: Clock;
}

/**
 * Asks `probe` until it gives a value, and returns it; `undefined` once `timeoutMs` passed
 * without one. The probe is asked at least once, and its errors end the wait. Every wait
 * for a process, a port or a state in the CLI, the stack and the bench goes through here,
 * so that time is the injected clock's.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs, clock = systemClock }: PollOptions,
): Promise<T | undefined> {
  const deadline = clock.monotonicMs() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (clock.monotonicMs() >= deadline) return undefined;
    await clock.sleep(typeof intervalMs === 'number' ? intervalMs : intervalMs());
  }
}

/** `pollUntil` for a yes/no question: whether `check` said yes before the timeout. */
export async function pollUntilTrue(
  check: () => Promise<boolean>,
  options: PollOptions,
): Promise<boolean> {
  const yes = async (): Promise<true | undefined> => ((await check()) ? true : undefined);
  return (await pollUntil(yes, options)) ?? false;
}

/** Elapsed time since it was made, for progress lines (`ready in 1.2s`). */
export interface Stopwatch {
  elapsedMs(): number;
  /** Elapsed seconds with `digits` decimals. */
  seconds(digits?: number): string;
}

export function stopwatch(clock: Clock = systemClock): Stopwatch {
  const startedAt = clock.monotonicMs();
  const elapsedMs = (): number => clock.monotonicMs() - startedAt;
  return { elapsedMs, seconds: (digits = 1) => (elapsedMs() / 1000).toFixed(digits) };
}
