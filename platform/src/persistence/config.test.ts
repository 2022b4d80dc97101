import { ConfigError } from '@flashsale/runtime';
import { loadDatabaseConfig, loadPersisterConfig } from './config.ts';

describe('persistence: persister configuration', () => {
  const minimal = {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:15432/flashsale',
    KAFKA_BROKERS: '127.0.0.1:19092, 127.0.0.2:19092',
  };

  it('applies the defaults', () => {
    expect(loadPersisterConfig(minimal)).toEqual({
      DATABASE_URL: minimal.DATABASE_URL,
      DATABASE_POOL_MAX: 10,
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: ['127.0.0.1:19092', '127.0.0.2:19092'],
      KAFKA_TOPIC: 'flashsale.purchases',
      KAFKA_CLIENT_ID: 'flashsale-persister',
      PERSISTER_GROUP_ID: 'flashsale-persister',
      PERSISTER_BATCH_MAX: 1000,
      PERSISTER_CONCURRENCY: 1,
      METRICS_PORT: 9464,
    });
  });

  it('names every missing or bad variable at once', () => {
    let problems: readonly string[] = [];
    try {
      loadPersisterConfig({
        DATABASE_URL: 'redis://127.0.0.1:16379',
        PERSISTER_BATCH_MAX: '0',
        METRICS_PORT: 'http',
      });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    const variables = problems.map((problem) => problem.split(' ')[0]).sort();
    expect(variables).toEqual([
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'METRICS_PORT',
      'PERSISTER_BATCH_MAX',
    ]);
    expect(problems.find((problem) => problem.startsWith('KAFKA_BROKERS'))).toContain('is not set');
  });

  it('needs only the database to run migrations', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: 'postgresql://db/flashsale' }).DATABASE_URL).toBe(
      'postgresql://db/flashsale',
    );
    expect(() =>
      loadDatabaseConfig({ DATABASE_URL: 'postgres://db/x', DATABASE_POOL_MAX: '1' }),
    ).toThrowError(ConfigError, /DATABASE_POOL_MAX/);
  });
});
