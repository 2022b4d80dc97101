import { QueryTypes, Sequelize } from 'sequelize';
import { isolatedNames, IsolatedPlatform, stackStartTimeoutMs, useStack } from '@flashsale/testkit';

const allMigrations = [
  '0001-create-sales',
  '0002-create-purchases',
  '0003-create-dead-letter-messages',
  '0004-sale-owner',
];

/** The JSON log lines of a process (pino), skipping anything else it printed. */
function logLines(output: string): { level: number; msg: string; [field: string]: unknown }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

/**
 * `flashsale migrate` (cmd/migrate) is the only thing that changes the schema; the persister
 * checks it at start and refuses a database that was not migrated.
 */
describe('migrate: the schema is migrated once, before the persister starts', () => {
  let platform: IsolatedPlatform;
  let database: Sequelize;

  const tableCount = async (): Promise<number> => {
    const [row] = await database.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public'",
      { type: QueryTypes.SELECT },
    );
    return row?.count ?? -1;
  };

  beforeAll(async () => {
    platform = new IsolatedPlatform(isolatedNames('migrate-cmd'), await useStack());
    await platform.prepare({ migrated: false });
    database = new Sequelize(platform.database, { logging: false });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await database.close();
    await platform.cleanUp();
  });

  it('a persister on an unmigrated database exits 1 naming flashsale migrate; after migrate it starts', async () => {
    const refused = await platform.runToExit('persister', { LOG_LEVEL: 'info' });
    expect(refused.code).withContext(refused.output).toBe(1);
    const fatal = logLines(refused.output).find((line) => line.level === 60);
    const message = (fatal?.err as { message?: string } | undefined)?.message ?? '';
    expect(message).toContain('`flashsale migrate`');
    expect(message).toContain(allMigrations.join(', '));
    expect(await tableCount()).toBe(0);

    // migrate applies every migration once, then finds nothing to do; the persister starts.
    const first = await platform.runToExit('migrate', { LOG_LEVEL: 'info' });
    expect(first.code).withContext(first.output).toBe(0);
    expect(logLines(first.output).find((line) => line.msg === 'migrations applied')).toEqual(
      jasmine.objectContaining({ process: 'migrate', migrations: allMigrations }),
    );
    const again = await platform.runToExit('migrate', { LOG_LEVEL: 'info' });
    expect(again.code).withContext(again.output).toBe(0);
    expect(logLines(again.output).find((line) => line.msg === 'schema is up to date')).toEqual(
      jasmine.objectContaining({ migrations: [] }),
    );
    expect(await tableCount()).toBe(4);
    await platform.start('persister');
  });

  it('migrate exits 2 naming DATABASE_URL when it is not a PostgreSQL URL', async () => {
    const bad = await platform.runToExit('migrate', { DATABASE_URL: 'redis://127.0.0.1:6379' });
    expect(bad.code).toBe(2);
    expect(bad.output).toContain(
      'DATABASE_URL ="redis://127.0.0.1:6379" is invalid: expected a postgres:// or postgresql:// URL',
    );
  });
});
