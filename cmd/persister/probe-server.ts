import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ProbeServerOptions {
  readonly registry: Registry;
  /** Resolves true when the process can do its work; any rejection counts as not ready. */
  readonly ready: () => Promise<boolean>;
}

/**
 * The persister serves no API, only what Kubernetes and Prometheus ask of every process:
 * `/healthz` (alive, checks nothing external), `/readyz` and `/metrics`.
 */
export function createProbeServer(options: ProbeServerOptions): Server {
  return createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://probe').pathname;
    const reply = (status: number, body: string, contentType = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': contentType }).end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return reply(405, 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') {
      return void options.ready().then(
        (ready) => (ready ? reply(200, 'ready\n') : reply(503, 'not ready\n')),
        () => reply(503, 'not ready\n'),
      );
    }
    if (path === '/metrics') {
      return void options.registry.metrics().then(
        (text) => reply(200, text, options.registry.contentType),
        (error: unknown) => reply(500, `collecting metrics failed: ${String(error)}\n`),
      );
    }
    return reply(404, 'not found\n');
  });
}
