import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { Sequelize } from 'sequelize';
import { persistedUnits, SaleStore } from '@flashsale/platform';
import { stackEndpoints } from '@flashsale/stack';
import {
  eventually,
  isolatedNames,
  IsolatedPlatform,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';

interface JaegerSpan {
  readonly operationName: string;
  readonly processID: string;
}

interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

/** "service: operation" for every span of a trace, sorted. */
function describeSpans(trace: JaegerTrace): string[] {
  return trace.spans
    .map((span) => `${trace.processes[span.processID]?.serviceName}: ${span.operationName}`)
    .sort();
}

/**
 * The acceptance: one purchase produces one trace in the stack's real OTLP receiver
 * (Jaeger), holding the spans of the API, relay and persister processes, each exporting
 * over OTLP/HTTP as the platform does when run locally.
 */
describe('traces: one purchase in the stack trace receiver', () => {
  const names = isolatedNames('trace-receiver');
  // Unique in the shared receiver: it finds this test's trace and nobody else's.
  const sale = `traced-${names.id}`;
  let platform: IsolatedPlatform;
  let redis: Redis;
  let database: Sequelize;
  let jaegerUrl: string;
  let apiUrl: string;

  beforeAll(async () => {
    const stack = await useStack();
    const endpoints = stackEndpoints();
    jaegerUrl = endpoints.JAEGER_URL ?? '';
    const tracingEnv = {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoints.OTEL_EXPORTER_OTLP_ENDPOINT ?? '',
      // Export each finished span within 200 ms rather than the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    platform = new IsolatedPlatform(names, stack);
    await platform.prepare();
    // The persister migrates the database at start: start it before the others.
    await platform.start('persister', 'persister', tracingEnv);
    await platform.start('relay', 'relay', tracingEnv);
    apiUrl = await platform.start('api', 'api', tracingEnv);
    redis = new Redis(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    database = new Sequelize(platform.database, { logging: false });
    const configured = await new SaleStore(redis).configure({
      name: sale,
      sku: 'SKU-TRACE',
      title: 'Traced',
      priceCents: 1,
      stock: 5,
      perUserLimit: 1,
      startsAt: new Date(Date.now() - 1000),
      endsAt: new Date(Date.now() + 600_000),
    });
    expect(configured.status).toBe('ok');
  }, stackStartTimeoutMs);

  afterAll(async () => {
    redis.disconnect();
    await database.close();
    await platform.cleanUp();
  }, 60_000);

  async function tracesOfSale(): Promise<JaegerTrace[]> {
    const query = new URLSearchParams({
      service: 'flashsale-api',
      tags: JSON.stringify({ 'flashsale.sale': sale }),
      lookback: '1h',
      limit: '20',
    });
    const response = await fetch(`${jaegerUrl}/api/traces?${query.toString()}`);
    if (!response.ok) throw new Error(`GET /api/traces answered ${response.status}`);
    return ((await response.json()) as { data: JaegerTrace[] | null }).data ?? [];
  }

  it('holds the api, relay and persister spans of the purchase in one trace', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('tracer')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(platform.secret));
    const response = await fetch(`${apiUrl}/api/sales/${sale}/purchases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(201);
    await eventually('the purchase to be persisted', async () =>
      (await persistedUnits(database, sale)) === 1 ? true : undefined,
    );

    const topic = platform.names.kafkaTopic;
    const expected = [
      'flashsale-api: POST /api/sales/:sale/purchases',
      'flashsale-api: redis purchase-decision',
      `flashsale-persister: ${topic} persist`,
      `flashsale-relay: ${topic} publish`,
    ];
    // The receiver stores spans as they arrive: wait until the persister's span has joined.
    const traces = await eventually('the whole trace in Jaeger', async () => {
      const found = await tracesOfSale();
      const complete = found.some((trace) => describeSpans(trace).length >= expected.length);
      return complete ? found : undefined;
    });
    expect(traces.length).toBe(1);
    expect(traces.map(describeSpans)).toEqual([expected]);
  });
});
