import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { startApiServer, type ApiServer, apiConfigSchema, SaleStore } from '@flashsale/platform';
import { createLogger, startTracing, type Tracing } from '@flashsale/runtime';
import {
  isolatedNames,
  IsolatedPlatform,
  freePort,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';

/**
 * The real API (request tracing middleware, purchase route, Redis decision) under the sampler
 * `npm start` uses, with the ratio at 0: a purchase makes no span unless its caller asked for
 * the trace with a sampled traceparent, and then it makes the whole trace.
 */
describe('tracing: the API honours OTEL_TRACES_SAMPLER', () => {
  const logger = createLogger('test', 'silent');
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let platform: IsolatedPlatform;
  let api: ApiServer;
  let redis: Redis;

  beforeAll(async () => {
    tracing = startTracing('flashsale-sampler-test', exporter, {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
    });
    const stack = await useStack();
    platform = new IsolatedPlatform(isolatedNames('sampler'), stack);
    await platform.prepare();
    api = await startApiServer(
      apiConfigSchema.parse({ ...platform.env, PORT: String(await freePort()), HOST: '127.0.0.1' }),
      logger,
    );
    redis = new Redis(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    await new SaleStore(redis).configure({
      name: 'sampled',
      sku: 'SKU',
      title: 'Sampled',
      priceCents: 1,
      stock: 100,
      perUserLimit: 100,
      startsAt: new Date(Date.now() - 1000),
      endsAt: new Date(Date.now() + 600_000),
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await api.shutdown();
    redis.disconnect();
    await tracing.shutdown();
    await platform.cleanUp();
  }, 60_000);

  const buy = async (headers: Record<string, string> = {}): Promise<number> => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('sampled-buyer')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(platform.secret));
    const response = await fetch(`http://127.0.0.1:${api.port}/api/sales/sampled/purchases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
      body: '{}',
    });
    await response.body?.cancel();
    return response.status;
  };

  it('exports no span for purchases its ratio does not sample', async () => {
    exporter.reset();
    for (let index = 0; index < 10; index++) expect(await buy()).toBe(201);
    await tracing.flush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual([]);
  });

  it("exports the whole trace of a purchase whose caller's traceparent is sampled", async () => {
    exporter.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(await buy({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).toBe(201);
    await tracing.flush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.spanContext().traceId)).toEqual([traceId, traceId]);
    expect(spans.map((span) => span.name).sort()).toEqual([
      'POST /api/sales/:sale/purchases',
      'redis purchase-decision',
    ]);
  });
});
