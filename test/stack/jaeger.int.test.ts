import { randomBytes } from 'node:crypto';
import { stackEndpoints } from '@flashsale/stack';
import { eventually, isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';

interface JaegerTraces {
  data: { traceID: string; spans: { operationName: string; processID: string }[] }[];
}

describe('local stack: Jaeger', () => {
  const names = isolatedNames('jaeger');
  let jaegerUrl: string;
  let otlpEndpoint: string;

  beforeAll(async () => {
    await useStack();
    const endpoints = stackEndpoints();
    jaegerUrl = endpoints.JAEGER_URL ?? '';
    otlpEndpoint = endpoints.OTEL_EXPORTER_OTLP_ENDPOINT ?? '';
  }, stackStartTimeoutMs);

  it('accepts a span over OTLP/HTTP and returns it from the query API', async () => {
    const traceId = randomBytes(16).toString('hex');
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    // OTLP's JSON encoding, as any SDK may send it (ids in hex, times as decimal strings).
    const request = {
      resourceSpans: [
        {
          resource: {
            attributes: [{ key: 'service.name', value: { stringValue: names.id } }],
          },
          scopeSpans: [
            {
              scope: { name: 'jaeger-test' },
              spans: [
                {
                  traceId,
                  spanId: randomBytes(8).toString('hex'),
                  name: 'probe',
                  kind: 1,
                  startTimeUnixNano: String(nowNs - 5_000_000n),
                  endTimeUnixNano: String(nowNs),
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(`${otlpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(200);

    const found = await eventually('the span to be queryable', async () => {
      const answer = await fetch(`${jaegerUrl}/api/traces/${traceId}`);
      if (!answer.ok) return undefined;
      return ((await answer.json()) as JaegerTraces).data[0];
    });
    expect(found.traceID).toBe(traceId);
    expect(found.spans.map((span) => span.operationName)).toEqual(['probe']);
    const services = (await (await fetch(`${jaegerUrl}/api/services`)).json()) as {
      data: string[];
    };
    expect(services.data).toContain(names.id);
  });
});
