import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/** Sends kafkajs's own log lines through pino, so the process writes one JSON format. */
export function kafkaLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}
