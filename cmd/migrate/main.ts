import { createLogger, runToCompletion } from '@flashsale/runtime';
import { loadDatabaseConfig, runMigrations } from '@flashsale/platform';

// The level is set once LOG_LEVEL has been validated with the rest of the configuration.
const logger = createLogger('migrate', 'info');

await runToCompletion(logger, async () => {
  const config = loadDatabaseConfig();
  logger.level = config.LOG_LEVEL;
  await runMigrations(config, logger);
});
