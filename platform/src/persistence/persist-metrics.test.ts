import { Registry } from 'prom-client';
import { PersistMetrics, persistLagBuckets, persistLagSeconds } from './persist-metrics.ts';

describe('persistence: persist metrics', () => {
  const now = Date.parse('2026-12-01T10:00:10.000Z');

  it('measures lag from the purchase decision to now, in seconds', () => {
    expect(persistLagSeconds('2026-12-01T10:00:09.750Z', now)).toBe(0.25);
    expect(persistLagSeconds('2026-12-01T09:59:10Z', now)).toBe(60);
  });

  it('reports a purchase stamped in the future (clock skew) as no lag', () => {
    expect(persistLagSeconds('2026-12-01T10:00:11Z', now)).toBe(0);
    expect(persistLagSeconds('not a time', now)).toBe(0);
  });

  it('counts the rows and observes one lag per row under the contract names', async () => {
    const registry = new Registry();
    const metrics = new PersistMetrics(registry);
    metrics.recordPersisted(['2026-12-01T10:00:09.990Z', '2026-12-01T10:00:08Z'], now);

    const persisted = await registry.getSingleMetric('flashsale_events_persisted_total')?.get();
    expect(persisted?.values[0]?.value).toBe(2);
    const lag = await registry.getSingleMetric('flashsale_persist_lag_seconds')?.get();
    const bucket = (le: number | string): number | undefined =>
      lag?.values.find((value) => value.labels.le === le)?.value;
    expect(bucket(0.005)).toBe(0);
    expect(bucket(0.01)).toBe(1);
    expect(bucket(2.5)).toBe(2);
    expect(bucket('+Inf')).toBe(2);
  });

  it('spans a few milliseconds to a minute', () => {
    expect(persistLagBuckets[0]).toBe(0.005);
    expect(persistLagBuckets.at(-1)).toBe(60);
  });

  it('shares one registry between two instances instead of throwing', () => {
    const registry = new Registry();
    const first = new PersistMetrics(registry);
    const second = new PersistMetrics(registry);
    expect(second.persisted).toBe(first.persisted);
  });
});
