import type { Logger } from '@flashsale/runtime';
import type { DatabaseConfig } from './config.ts';
import { connectDatabase } from './database.ts';
import { migrate } from './migrator.ts';

/**
 * `flashsale migrate` (`cmd/migrate`): brings the schema up to date, once, before the
 * persister and the operator start; they only check it (docs/data-path.md, "Migrations").
 * Returns the migrations it ran.
 */
export async function runMigrations(config: DatabaseConfig, logger: Logger): Promise<string[]> {
  const sequelize = connectDatabase(config);
  try {
    const ran = await migrate(sequelize);
    logger.info({ migrations: ran }, ran.length ? 'migrations applied' : 'schema is up to date');
    return ran;
  } finally {
    await sequelize.close();
  }
}
