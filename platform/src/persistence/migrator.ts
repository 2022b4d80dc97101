import { QueryTypes, type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug, type RunnableMigration } from 'umzug';
import * as createSales from './migrations/0001-create-sales.ts';
import * as createPurchases from './migrations/0002-create-purchases.ts';
import * as createDeadLetters from './migrations/0003-create-dead-letter-messages.ts';
import * as saleOwner from './migrations/0004-sale-owner.ts';

/**
 * Listed here rather than found by a glob so that the set of migrations is fixed at build
 * time and works the same under tsx, in a bundle and in a container image.
 */
const migrations: RunnableMigration<Sequelize>[] = [
  { name: '0001-create-sales', up: createSales.up, down: createSales.down },
  { name: '0002-create-purchases', up: createPurchases.up, down: createPurchases.down },
  {
    name: '0003-create-dead-letter-messages',
    up: createDeadLetters.up,
    down: createDeadLetters.down,
  },
  { name: '0004-sale-owner', up: saleOwner.up, down: saleOwner.down },
];

/** Where umzug records which migrations have run. */
export const migrationsTable = 'schema_migrations';

/** Key of the advisory lock that serialises migrations across processes. */
const migrationLockName = 'flashsale.migrations';

function migrator(sequelize: Sequelize): Umzug<Sequelize> {
  return new Umzug({
    migrations,
    context: sequelize,
    storage: new SequelizeStorage({ sequelize, tableName: migrationsTable }),
    logger: undefined,
  });
}

/**
 * Brings the schema up to date and returns the names of the migrations it ran (empty when
 * there was nothing to do).
 *
 * Two `migrate` runs may overlap (a Job retried while its first pod still runs, two
 * upgrades), so the whole run holds a transaction-scoped advisory lock: the second waits,
 * then finds nothing pending. The lock lives on one
 * pooled connection while the migrations run on others, so the pool needs two connections.
 */
export async function migrate(sequelize: Sequelize): Promise<string[]> {
  const poolMax = sequelize.config.pool?.max;
  if (poolMax !== undefined && poolMax < 2) {
    throw new Error(`migrate needs a connection pool of at least 2 (pool.max is ${poolMax})`);
  }
  try {
    return await sequelize.transaction(async (transaction) => {
      await sequelize.query('SELECT pg_advisory_xact_lock(hashtext($1))', {
        bind: [migrationLockName],
        type: QueryTypes.SELECT,
        transaction,
      });
      const ran = await migrator(sequelize).up();
      return ran.map((migration) => migration.name);
    });
  } catch (error) {
    throw new Error('database migration failed', { cause: error });
  }
}

/**
 * Names of the migrations this build knows and the database has not recorded (the table is
 * found through the search_path, as Sequelize creates it). Read-only: a
 * database nobody migrated yet has every migration pending (and no table is created).
 */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  const [table] = await sequelize.query<{ found: string | null }>(
    'SELECT to_regclass($1)::text AS found',
    { bind: [migrationsTable], type: QueryTypes.SELECT },
  );
  const rows = table?.found
    ? await sequelize.query<{ name: string }>(`SELECT name FROM ${migrationsTable}`, {
        type: QueryTypes.SELECT,
      })
    : [];
  const applied = new Set(rows.map((row) => row.name));
  return migrations.map((migration) => migration.name).filter((name) => !applied.has(name));
}

/** The database lacks migrations this build relies on: `flashsale migrate` has not run. */
export class SchemaNotMigratedError extends Error {
  constructor(readonly pending: readonly string[]) {
    super(
      `the database schema is behind this build: migration${pending.length > 1 ? 's' : ''} ` +
        `${pending.join(', ')} not applied. Run \`flashsale migrate\` against this database ` +
        'first (the chart runs it as its migrate Job; locally `npx flashsale migrate`)',
    );
    this.name = 'SchemaNotMigratedError';
  }
}

/**
 * Fails at once, naming `flashsale migrate`, unless every migration of this build has run.
 * Processes check and never migrate: migrations run once, by `migrate`, before they start
 * (docs/data-path.md, "Migrations"). Migrations recorded that this build does not know (a
 * newer release migrated) are accepted: each migration keeps the previous release working.
 */
export async function requireMigratedSchema(sequelize: Sequelize): Promise<void> {
  let pending: string[];
  try {
    pending = await pendingMigrations(sequelize);
  } catch (error) {
    throw new Error('reading the schema version from PostgreSQL failed', { cause: error });
  }
  if (pending.length > 0) throw new SchemaNotMigratedError(pending);
}
