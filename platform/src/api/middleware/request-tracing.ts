import type { Context } from '@opentelemetry/api';
import type { Context as KoaContext, Middleware } from 'koa';
import {
  SpanKind,
  SpanStatusCode,
  context,
  contextFrom,
  trace,
  tracer,
  tracingEnabled,
} from '@flashsale/runtime';

/** Where an unsampled request keeps its trace context (see `inRequestContext`). */
interface TraceState {
  traceContext?: Context;
}

type Span = ReturnType<typeof tracer.startSpan>;

/** The server span of one request, continuing the caller's trace when it sends `traceparent`. */
export function startServerSpan(
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
): { readonly span: Span; readonly parent: Context } {
  const parent = contextFrom(headers);
  const span = tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
  if (span.isRecording()) span.setAttributes({ 'http.request.method': method, 'url.path': path });
  return { span, parent };
}

/** Names a recorded server span by its route and ends it with the answer's status. */
export function endServerSpan(
  span: Span,
  method: string,
  route: string | undefined,
  status: number,
): void {
  if (route) {
    span.updateName(`${method} ${route}`);
    span.setAttribute('http.route', route);
  }
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * A server span per request. A request the sampler does not record costs only the sampling
 * decision: its context is not entered for the whole request (no async-context bookkeeping
 * on every await), only kept for the code that carries it on (`inRequestContext`, around
 * the Redis decision).
 */
export function requestTracing(): Middleware<TraceState> {
  return async (ctx, next) => {
    if (!tracingEnabled()) {
      await next();
      return;
    }
    const { span, parent } = startServerSpan(ctx.method, ctx.path, ctx.headers);
    if (!span.isRecording()) {
      ctx.state.traceContext = trace.setSpan(parent, span);
      await next();
      return;
    }
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute;
      endServerSpan(span, ctx.method, route, ctx.status);
    }
  };
}

/**
 * Runs `work` in the request's trace context: for a recorded request it is already active;
 * an unsampled one enters it here, so what `work` stores (the traceparent with a purchase)
 * carries the decision not to sample on to the relay and persister.
 */
export function inRequestContext<T>(ctx: KoaContext, work: () => T): T {
  const kept = (ctx.state as TraceState).traceContext;
  return kept === undefined ? work() : context.with(kept, work);
}
