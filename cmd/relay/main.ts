import { createLogger, startTracing, traceLogFields, runUntilSignalled } from '@flashsale/runtime';
import { loadRelayConfig, startRelayProcess } from '@flashsale/platform';

const tracing = startTracing('flashsale-relay');
const logger = createLogger('relay', process.env.LOG_LEVEL ?? 'info', traceLogFields);

await runUntilSignalled(
  logger,
  async () => {
    const relay = await startRelayProcess(loadRelayConfig(), logger);
    logger.info('relay running');
    return {
      shutdown: async () => {
        await relay.shutdown();
        await tracing.shutdown();
      },
    };
  },
  20_000,
);
