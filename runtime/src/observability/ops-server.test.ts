import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { startOpsServer } from './ops-server.ts';

describe('ops server probes', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const address = server?.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    const response = await fetch(`http://127.0.0.1:${address.port}${path}`);
    return { status: response.status, body: await response.json() };
  }

  it('answers /healthz 503 while the process says it is wedged, 200 otherwise', async () => {
    let alive = true;
    server = await startOpsServer(
      new Registry(),
      () => true,
      { port: 0, host: '127.0.0.1' },
      () => alive,
    );
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    alive = false;
    expect(await get('/healthz')).toEqual({ status: 503, body: { status: 'stalled' } });
    expect((await get('/readyz')).status).toBe(200);
  });

  it('is alive by default', async () => {
    server = await startOpsServer(new Registry(), () => false, { port: 0, host: '127.0.0.1' });
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(503);
  });
});
