import { QueryTypes, Sequelize } from 'sequelize';
import type { DatabaseConfig } from './config.ts';

/** The persister's and `migrate`'s connection pool to PostgreSQL. */
export function connectDatabase(config: DatabaseConfig): Sequelize {
  return new Sequelize(config.DATABASE_URL, {
    dialect: 'postgres',
    logging: false,
    pool: { max: config.DATABASE_POOL_MAX, acquire: 10_000 },
    // A database that stops answering must fail the attempt, so the retry loop (and its
    // heartbeats) keep running instead of waiting on a dead socket.
    dialectOptions: { connectionTimeoutMillis: 5_000, query_timeout: 30_000 },
  });
}

/** Resolves true when PostgreSQL answers a query; rejects otherwise. */
export async function databaseAnswers(sequelize: Sequelize): Promise<boolean> {
  await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
  return true;
}
