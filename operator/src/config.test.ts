import { loadOperatorConfig } from './config.ts';

const isConfigError = (error: unknown): error is Error =>
  error instanceof Error && error.name === 'ConfigError';

describe('operator: configuration', () => {
  const base = { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://u@127.0.0.1/db' };

  it('applies the documented defaults', () => {
    const config = loadOperatorConfig(base);
    expect(config.METRICS_PORT).toBe(9466);
    expect(config.LEASE_NAME).toBe('flashsale-operator');
    expect(config.LEASE_DURATION_MS).toBe(15_000);
    expect(config.WATCH_NAMESPACE).toBeUndefined();
  });

  it('names every bad variable', () => {
    expect(() => loadOperatorConfig({ DATABASE_URL: 'mysql://x' })).toThrowMatching(
      (error) =>
        isConfigError(error) &&
        ['REDIS_URL', 'DATABASE_URL'].every((name) => error.message.includes(name)),
    );
    // Cross-field rules are checked once every variable parses on its own.
    expect(() => loadOperatorConfig({ ...base, LEASE_RENEW_DEADLINE_MS: '20000' })).toThrowMatching(
      (error) => isConfigError(error) && error.message.includes('LEASE_RENEW_DEADLINE_MS'),
    );
  });
});
