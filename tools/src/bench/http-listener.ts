import { createServer, type Server } from 'node:http';
import type Koa from 'koa';

/** A server the bench started on a free loopback port. */
export interface BenchServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1, on a free port unless given one (the bench never takes a fixed port
 * someone else uses). GET /readyz answers 200 outside the app, for the bench to wait on.
 */
export async function listenOnFreePort(
  app: Koa,
  onClose: () => Promise<void> = async () => {},
  port = 0,
): Promise<BenchServer> {
  const handle = app.callback();
  const server: Server = createServer((req, res) => {
    if (req.url === '/readyz') res.end('ok');
    else void handle(req, res);
  });
  // Like the API's server: keep-alive connections outlive k6's pauses between iterations.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the bench server has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await onClose();
    },
  };
}
