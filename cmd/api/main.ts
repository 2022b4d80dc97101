import { loadApiConfig } from '@flashsale/platform/api/config.ts';
import { startApiServer } from '@flashsale/platform/api/api-server.ts';
import { createLogger } from '@flashsale/platform/observability/logger.ts';
import { startTracing, traceLogFields } from '@flashsale/platform/observability/tracing.ts';
import { runUntilSignalled } from '@flashsale/platform/process/lifecycle.ts';

const tracing = startTracing('flashsale-api');
const logger = createLogger('api', process.env.LOG_LEVEL ?? 'info', traceLogFields);

await runUntilSignalled(
  logger,
  async () => {
    const config = loadApiConfig();
    const api = await startApiServer(config, logger);
    logger.info({ port: api.port }, 'api listening');
    return {
      shutdown: async () => {
        await api.shutdown();
        await tracing.shutdown();
      },
    };
  },
  Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 25_000),
);
