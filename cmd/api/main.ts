import { loadApiConfig, startApiServer } from '@flashsale/platform';
import { createLogger, startTracing, traceLogFields, runUntilSignalled } from '@flashsale/runtime';

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
