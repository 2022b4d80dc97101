import { ConfigError } from '../config/env.ts';
import type { Logger } from '../observability/logger.ts';

export interface Running {
  shutdown(): Promise<void>;
}

/**
 * Ends a running process from within (a dependency failed for good): the same graceful
 * shutdown as a signal, under the same deadline, then exit with `exitCode`.
 */
export type Stop = (reason: string, exitCode: number) => void;

/** A start-up failure: a configuration error exits 2 naming every bad variable, others 1. */
function failedStart(logger: Logger, error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
}

/**
 * Runs a process until SIGTERM/SIGINT (or until it calls `stop`), then shuts it down
 * gracefully under a hard deadline. A configuration error exits 2 with the message naming
 * every bad variable; any other start-up failure exits 1.
 */
export async function runUntilSignalled(
  logger: Logger,
  start: (stop: Stop) => Promise<Running>,
  deadlineMs: number,
): Promise<void> {
  let stopping = false;
  let started: Promise<Running> | undefined;
  const stop: Stop = (reason, exitCode) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, deadlineMs).unref();
    // A stop asked for while starting waits for the start to finish, then shuts down.
    void Promise.resolve(started)
      .then((running) => running?.shutdown())
      .then(
        () => {
          logger.info('stopped');
          process.exit(exitCode);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  try {
    started = start(stop);
    await started;
  } catch (error) {
    failedStart(logger, error);
  }
  process.once('SIGTERM', () => stop('SIGTERM', 0));
  process.once('SIGINT', () => stop('SIGINT', 0));
}

/**
 * Runs a one-shot command (`migrate`): exit 0 once `work` is done, 2 on a configuration
 * error (naming every bad variable), 1 on any other failure.
 */
export async function runToCompletion(logger: Logger, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    failedStart(logger, error);
  }
  process.exit(0);
}
