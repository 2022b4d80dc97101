/** How long to wait between attempts at something that failed (PostgreSQL or Kafka down, a broken watch). */
export interface BackoffOptions {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** Ceiling the delay grows to and stays at. */
  readonly maxMs: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 200, maxMs: 5_000 };

/**
 * The delay before retry number `attempt` (0 for the first): doubling from `initialMs` up to
 * `maxMs`, with the upper half jittered so that replicas recovering from the same outage do
 * not hit the database in lockstep. `random` returns a number in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions = defaultBackoff,
  random: () => number = Math.random,
): number {
  // Past 2^20 the doubling only overflows; the ceiling was reached long before.
  const exponent = Math.min(Math.max(attempt, 0), 20);
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * The same schedule for a loop that retries one thing until it works: `next()` gives the
 * delay before the next attempt, `reset()` starts over after a success.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const delay = backoffDelayMs(
      this.attempt,
      { initialMs: this.initialMs, maxMs: this.maxMs },
      this.random,
    );
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
