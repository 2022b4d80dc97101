import type { Middleware } from 'koa';
import type { Histogram } from 'prom-client';

/**
 * Observes http_request_duration_seconds by route template (not raw path: an attacker's
 * random URLs must not create new time series).
 */
export function requestMetrics(
  histogram: Histogram<'method' | 'route' | 'status_code'>,
): Middleware {
  return async (ctx, next) => {
    const end = histogram.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      end({ method: ctx.method, route: String(route), status_code: String(ctx.status) });
    }
  };
}
