import { createLogger } from '@flashsale/platform/observability/logger.ts';
import { runUntilSignalled } from '@flashsale/platform/process/lifecycle.ts';
import { loadOperatorConfig } from '@flashsale/operator/config.ts';
import { startOperator } from '@flashsale/operator/operator.ts';

const logger = createLogger('operator', process.env.LOG_LEVEL ?? 'info');

await runUntilSignalled(
  logger,
  async () => {
    const operator = await startOperator(loadOperatorConfig(), { logger });
    logger.info({ identity: operator.identity }, 'operator running');
    return { shutdown: () => operator.shutdown() };
  },
  20_000,
);
