import {
  context,
  propagation,
  trace,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Context,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Tracing across the purchase path: HTTP request → Redis decision → (outbox) → relay →
 * Kafka (W3C `traceparent` header) → persister. Spans are made explicitly where the path
 * crosses a boundary, so the trace survives the asynchronous hops through Redis and Kafka.
 * The SDK follows the standard OTEL_* variables and is off unless an exporter is configured.
 */
export const tracer = trace.getTracer('flashsale');

export interface Tracing {
  shutdown(): Promise<void>;
}

function exporterConfigured(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT ??
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    env.OTEL_TRACES_EXPORTER,
  );
}

let enabled = false;
const disabledSpan = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** Whether this process records spans; when not, the hot path skips span bookkeeping. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** Starts the SDK when an exporter is configured (or given, as tests do); else a no-op. */
export function startTracing(
  serviceName: string,
  exporter?: SpanExporter,
  env = process.env,
): Tracing {
  if (!exporter && !exporterConfigured(env)) return { shutdown: () => Promise.resolve() };
  const sdk = new NodeSDK({
    serviceName,
    instrumentations: [],
    ...(exporter ? { traceExporter: exporter } : {}),
  });
  sdk.start();
  enabled = true;
  return {
    shutdown: async () => {
      enabled = false;
      await sdk.shutdown();
    },
  };
}

/** The W3C traceparent of the active span, for carrying the trace through Redis. */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export function contextFrom(carrier: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), carrier);
}

export function injectInto(span: Span, carrier: Record<string, string>): void {
  propagation.inject(trace.setSpan(context.active(), span), carrier);
}

/** Runs `work` in a new active span that ends (with error status on throw) when it settles. */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!enabled) return work(disabledSpan);
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Fields for every log line: the active trace and span, so logs and traces join up. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export { SpanKind, SpanStatusCode, context, trace };
