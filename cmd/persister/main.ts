import { createLogger, startTracing, traceLogFields, runUntilSignalled } from '@flashsale/runtime';
import { loadPersisterConfig, startPersisterProcess } from '@flashsale/platform';

const tracing = startTracing('flashsale-persister');
// The level is set once LOG_LEVEL has been validated with the rest of the configuration.
const logger = createLogger('persister', 'info', traceLogFields);

// Kubernetes sends SIGKILL after terminationGracePeriodSeconds (30 s in the chart).
await runUntilSignalled(
  logger,
  async (stop) => {
    const config = loadPersisterConfig();
    logger.level = config.LOG_LEVEL;
    const persister = await startPersisterProcess(config, logger, () =>
      stop('consumer crashed', 1),
    );
    return {
      shutdown: async () => {
        await persister.shutdown();
        await tracing.shutdown();
      },
    };
  },
  20_000,
);
