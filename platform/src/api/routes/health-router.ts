import Router from '@koa/router';
import type { Registry } from 'prom-client';

export interface Readiness {
  /** True while the process should receive traffic (dependencies reachable, not draining). */
  isReady(): boolean;
}

export function healthRouter(readiness: Readiness, registry: Registry): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', (ctx) => {
    const ready = readiness.isReady();
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
