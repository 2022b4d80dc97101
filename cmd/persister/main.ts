import { createLogger } from '@flashsale/platform/observability/logger.ts';
import { startTracing, traceLogFields } from '@flashsale/platform/observability/tracing.ts';
import { loadPersisterConfig } from '@flashsale/platform/persistence/config.ts';
import { startPersisterProcess } from '@flashsale/platform/persistence/persister-process.ts';
import { runUntilSignalled } from '@flashsale/platform/process/lifecycle.ts';

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
