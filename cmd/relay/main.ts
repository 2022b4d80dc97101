import { createLogger } from '@flashsale/platform/observability/logger.ts';
import { loadRelayConfig } from '@flashsale/platform/outbox/relay-config.ts';
import { startRelayProcess } from '@flashsale/platform/outbox/relay-process.ts';
import { runUntilSignalled } from '@flashsale/platform/process/lifecycle.ts';

const logger = createLogger('relay', process.env.LOG_LEVEL ?? 'info');

await runUntilSignalled(
  logger,
  async () => {
    const relay = await startRelayProcess(loadRelayConfig(), logger);
    logger.info('relay running');
    return relay;
  },
  20_000,
);
