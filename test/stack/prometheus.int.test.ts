import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { registerScrapeTarget, unregisterScrapeTarget } from '@flashsale/stack';
import { eventually, isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';

interface QueryResponse {
  data: { result: { value: [number, string] }[] };
}

describe('local stack: Prometheus', () => {
  const names = isolatedNames('prometheus');
  let prometheusUrl: string;
  let server: Server;

  beforeAll(async () => {
    prometheusUrl = (await useStack()).PROMETHEUS_URL;
    const registry = new Registry();
    new Gauge({
      name: 'flashsale_stack_probe',
      help: 'A value the test sets and reads back',
      registers: [registry],
    }).set(42);
    server = createServer((_req, res) => {
      void registry.metrics().then((text) => {
        res.setHeader('Content-Type', registry.contentType);
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await unregisterScrapeTarget(names.id);
    await new Promise((resolve) => server.close(resolve));
  });

  async function query(promql: string): Promise<string | undefined> {
    const response = await fetch(
      `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    const body = (await response.json()) as QueryResponse;
    return body.data.result[0]?.value[1];
  }

  it('discovers a newly registered process, reports its target up, and stores its metrics', async () => {
    const { port } = server.address() as AddressInfo;
    await registerScrapeTarget(names.id, `127.0.0.1:${port}`);

    const up = await eventually(
      'the target to be scraped',
      () => query(`up{instance_name="${names.id}"}`),
      45_000,
    );
    expect(up).toBe('1');
    expect(await query(`flashsale_stack_probe{instance_name="${names.id}"}`)).toBe('42');
  });
});
