import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/**
 * The operational endpoints of a background process (relay, persister, operator): /healthz (alive),
 * /readyz (working normally) and /metrics.
 */
export async function startOpsServer(
  registry: Registry,
  /** Whether the process works normally; a rejection counts as not ready. */
  isReady: () => boolean | Promise<boolean>,
  address: { port: number; host: string },
  /** Whether the process is alive (not wedged); /healthz answers 503 when it is not. */
  isAlive: () => boolean = () => true,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      void registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (path === '/healthz') {
      const alive = isAlive();
      res
        .writeHead(alive ? 200 : 503, { 'Content-Type': 'application/json' })
        .end(alive ? '{"status":"ok"}' : '{"status":"stalled"}');
      return;
    }
    if (path === '/readyz') {
      const answer = (ready: boolean): void => {
        res.writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: ready ? 'ready' : 'not_ready' }));
      };
      void Promise.resolve()
        .then(isReady)
        .then(answer, () => answer(false));
      return;
    }
    res
      .writeHead(404, { 'Content-Type': 'application/json' })
      .end('{"error":{"code":"not_found","message":"not found"}}');
  });
  await new Promise<void>((resolve) => server.listen(address.port, address.host, resolve));
  return server;
}
