import type { Middleware } from 'koa';
import {
  SpanKind,
  SpanStatusCode,
  context,
  contextFrom,
  trace,
  tracer,
  tracingEnabled,
} from '@flashsale/runtime';

/** A server span per request, continuing the caller's trace when it sends `traceparent`. */
export function requestTracing(): Middleware {
  return async (ctx, next) => {
    if (!tracingEnabled()) {
      await next();
      return;
    }
    const parent = contextFrom(ctx.headers);
    const span = tracer.startSpan(
      ctx.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': ctx.method, 'url.path': ctx.path },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute;
      if (route) {
        span.updateName(`${ctx.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', ctx.status);
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
