import { createLogger } from '@flashsale/platform/observability/logger.ts';
import { loadDatabaseConfig } from '@flashsale/platform/persistence/config.ts';
import { runMigrations } from '@flashsale/platform/persistence/migrate-command.ts';
import { runToCompletion } from '@flashsale/platform/process/lifecycle.ts';

// The level is set once LOG_LEVEL has been validated with the rest of the configuration.
const logger = createLogger('migrate', 'info');

await runToCompletion(logger, async () => {
  const config = loadDatabaseConfig();
  logger.level = config.LOG_LEVEL;
  await runMigrations(config, logger);
});
