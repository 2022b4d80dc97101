import { pino, type Logger } from 'pino';

/** JSON logs on stdout, one object per line, with the process name on every line. */
export function createLogger(
  process: string,
  level: string,
  mixin?: () => Record<string, unknown>,
): Logger {
  return pino({
    name: process,
    level,
    base: { process },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(mixin ? { mixin } : {}),
  });
}

export type { Logger };
