import { createServer, type Server } from 'node:http';
import type Koa from 'koa';

/** A server the bench started on a free loopback port. */
export interface BenchServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 (the bench never takes a fixed port someone else uses). */
export async function listenOnFreePort(
  app: Koa,
  onClose: () => Promise<void> = async () => {},
): Promise<BenchServer> {
  const handle = app.callback();
  const server: Server = createServer((req, res) => void handle(req, res));
  // Like the API's server: keep-alive connections outlive k6's pauses between iterations.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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
