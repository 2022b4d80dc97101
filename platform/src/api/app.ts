import cors from '@koa/cors';
import Koa from 'koa';
import { createSseMetrics, type ApiMetrics } from './api-metrics.ts';
import type { PurchaseDecider } from '../purchases/purchase-decider.ts';
import type { SaleAnswerCache } from '../purchases/sale-answer-cache.ts';
import type { SaleStore } from '../sales/sale-store.ts';
import type { ApiVerifier } from './auth.ts';
import { dependencyErrors } from './middleware/dependency-errors.ts';
import { errorBody } from './middleware/error-body.ts';
import { requestMetrics } from './middleware/request-metrics.ts';
import { requestTracing } from './middleware/request-tracing.ts';
import { staticHeaders } from './middleware/static-headers.ts';
import { unservedMethods } from './middleware/unserved-methods.ts';
import { authRouter } from './routes/auth-router.ts';
import { healthRouter, type Readiness } from './routes/health-router.ts';
import { purchasesRouter } from './routes/purchases-router.ts';
import { salesRouter } from './routes/sales-router.ts';
import type { SaleEventsHub } from './sale-events-hub.ts';
import { defaultSseSettings, SseLimits, type SseSettings } from './sse-limits.ts';

export interface AppDeps {
  readonly sales: SaleStore;
  readonly decider: PurchaseDecider;
  readonly saleAnswers: SaleAnswerCache;
  readonly hub: SaleEventsHub;
  readonly verifier: ApiVerifier;
  readonly metrics: ApiMetrics;
  readonly readiness: Readiness;
  readonly isRedisReady: () => boolean;
  readonly devLogin: boolean;
  /** The storefront origin allowed by CORS; empty allows none. */
  readonly corsOrigin: string;
  /** Bounds on event streams; `defaultSseSettings` when not given. */
  readonly sse?: SseSettings;
}

/** What a storefront's script may read of an answer beyond the CORS-safelisted headers. */
export const corsExposedHeaders = ['Retry-After'] as const;

function saleEventsOptions(deps: AppDeps) {
  const settings = deps.sse ?? defaultSseSettings;
  const metrics = createSseMetrics(deps.metrics.registry, () => deps.hub.clientCount);
  return {
    limits: new SseLimits(settings, (reason) => metrics.rejected.inc({ reason })),
    maxBufferedBytes: settings.maxBufferedBytes,
    onSlowClient: () => metrics.rejected.inc({ reason: 'slow_client' }),
  };
}

/** Builds the API without listening: tests drive `app.callback()`, main wires a server. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  // The client address is the last X-Forwarded-For entry, the one the proxy in front wrote;
  // entries before it are whatever the client sent (docs/http-api.md).
  app.maxIpsCount = 1;
  app.silent = true;
  app.use(requestMetrics(deps.metrics.httpDuration));
  app.use(requestTracing());
  app.use(errorBody());
  app.use(unservedMethods());
  app.use(staticHeaders());
  if (deps.corsOrigin !== '') {
    app.use(
      cors({
        origin: deps.corsOrigin,
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
        exposeHeaders: [...corsExposedHeaders],
        maxAge: 600,
      }),
    );
  }
  app.use(dependencyErrors(deps.isRedisReady));

  // The purchase route first: under a crowd nearly every request is a purchase attempt,
  // and each router before it would try its paths in vain.
  const routers = [
    purchasesRouter(deps),
    healthRouter(deps.readiness, deps.metrics.registry),
    authRouter(deps.verifier, deps.devLogin),
    salesRouter(deps.sales, deps.hub, saleEventsOptions(deps)),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
