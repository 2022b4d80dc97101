import { createLogger } from '@flashsale/platform/observability/logger.ts';
import { startTracing, traceLogFields } from '@flashsale/platform/observability/tracing.ts';
import { loadRelayConfig } from '@flashsale/platform/outbox/relay-config.ts';
import { startRelayProcess } from '@flashsale/platform/outbox/relay-process.ts';
import { runUntilSignalled } from '@flashsale/platform/process/lifecycle.ts';

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
