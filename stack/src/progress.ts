import { stopwatch, type Stopwatch } from '@flashsale/runtime';

/**
 * Progress output for long, multi-step commands. Progress goes to stderr so that stdout
 * stays machine-readable (`eval "$(npx flashsale stack up)"`).
 */

/** A failed step: what failed, why, and the command or action that fixes it. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${step}: ${message}`, options);
    this.name = 'StepError';
  }
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function elapsed(watch: Stopwatch): string {
  const seconds = watch.elapsedMs() / 1000;
  return seconds < 60
    ? `${seconds.toFixed(1)}s`
    : `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
}

/**
 * Runs one step with a progress line before and after. A step that takes long prints a
 * heartbeat so that a CI log never looks stuck.
 */
export async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
  const watch = stopwatch();
  log(`==> ${label}`);
  const heartbeat = setInterval(
    () => log(`    ... ${label}: still working (${elapsed(watch)})`),
    30_000,
  );
  heartbeat.unref();
  try {
    const result = await run();
    log(`    ok  ${label} (${elapsed(watch)})`);
    return result;
  } catch (error) {
    log(`    FAILED  ${label} (${elapsed(watch)})`);
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
}

/** Prints a failure for a person: the step, the reason, and how to fix it. */
export function describeFailure(error: unknown): string {
  if (error instanceof StepError) {
    const cause = error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : '';
    return `error: ${error.message}${cause}\n  fix: ${error.fix}`;
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : '';
    return `error: ${error.message}${cause}`;
  }
  return `error: ${String(error)}`;
}
