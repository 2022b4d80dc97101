import { ConfigError } from '../config/env.ts';
import type { Logger } from '../observability/logger.ts';

export interface Running {
  shutdown(): Promise<void>;
}

/**
 * Runs a process until SIGTERM/SIGINT, then shuts it down gracefully under a hard deadline.
 * A configuration error exits 2 with the message naming every bad variable; any other
 * start-up failure exits 1.
 */
export async function runUntilSignalled(
  logger: Logger,
  start: () => Promise<Running>,
  deadlineMs: number,
): Promise<void> {
  let running: Running;
  try {
    running = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed; exiting');
      process.exit(1);
    }, deadlineMs).unref();
    running.shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
