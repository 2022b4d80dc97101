import {
  context,
  propagation,
  trace,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  SimpleSpanProcessor,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/**
 * Tracing across the purchase path: HTTP request → Redis decision → (outbox) → relay →
 * Kafka (W3C `traceparent` header) → persister. Spans are made explicitly where the path
 * crosses a boundary, so the trace survives the asynchronous hops through Redis and Kafka.
 * The SDK follows the standard OTEL_* variables and is off unless an exporter is configured;
 * which traces it records follows OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG (see
 * docs/benchmarks.md for what each costs).
 */
let current: Tracer = trace.getTracer('flashsale');

/**
 * The project's tracer. It forwards to the tracer of the SDK running now: a tracer taken
 * once stays bound to the first SDK a process started, and a process (a test) may start
 * tracing again with another sampler.
 */
const startActiveSpan = (...args: unknown[]): unknown =>
  (current.startActiveSpan as (...forwarded: unknown[]) => unknown)(...args);
export const tracer: Tracer = {
  startSpan: (name, options, parent) => current.startSpan(name, options, parent),
  startActiveSpan,
};

export interface Tracing {
  /** Exports every span that has ended (tests read the exporter after it). */
  flush(): Promise<void>;
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

/** The standard sampler names of OTEL_TRACES_SAMPLER (the OpenTelemetry SDK specification). */
export const samplerNames = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export type SamplerName = (typeof samplerNames)[number];

export interface SamplerChoice {
  readonly name: SamplerName;
  /** The fraction of root traces kept, for the *traceidratio samplers. */
  readonly ratio?: number;
}

const isSamplerName = (value: string): value is SamplerName =>
  (samplerNames as readonly string[]).includes(value);

function samplerRatio(env: NodeJS.ProcessEnv): number {
  const given = env.OTEL_TRACES_SAMPLER_ARG;
  if (given === undefined || given.trim() === '') return 1;
  const ratio = Number(given);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(
      `OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(given)} is invalid: the ratio must be a number from 0 to 1 (e.g. 0.01)`,
    );
  }
  return ratio;
}

/**
 * OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG as the specification defines them; the
 * default is parentbased_always_on. Unlike the SDK, which logs an unknown value and samples
 * everything, a bad value here stops the process with a message naming the variable.
 */
export function samplerChoiceFromEnv(env: NodeJS.ProcessEnv = process.env): SamplerChoice {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim() || 'parentbased_always_on';
  if (!isSamplerName(name)) {
    throw new Error(
      `OTEL_TRACES_SAMPLER=${JSON.stringify(name)} is invalid: use one of ${samplerNames.join(', ')}`,
    );
  }
  return name.endsWith('traceidratio') ? { name, ratio: samplerRatio(env) } : { name };
}

export function samplerFor(choice: SamplerChoice): Sampler {
  const root = (name: string): Sampler => {
    if (name.endsWith('always_on')) return new AlwaysOnSampler();
    if (name.endsWith('always_off')) return new AlwaysOffSampler();
    return new TraceIdRatioBasedSampler(choice.ratio ?? 1);
  };
  if (choice.name.startsWith('parentbased_')) {
    return new ParentBasedSampler({ root: root(choice.name) });
  }
  return root(choice.name);
}

/**
 * A sampler that can never record (always_off, or traceidratio 0): the process then skips
 * span bookkeeping entirely. A parent-based sampler can: it follows a sampled caller.
 */
export function neverSamples(choice: SamplerChoice): boolean {
  return choice.name === 'always_off' || (choice.name === 'traceidratio' && choice.ratio === 0);
}

/** "parentbased_traceidratio 0.01" */
export function describeSampler(choice: SamplerChoice): string {
  return choice.ratio === undefined ? choice.name : `${choice.name} ${choice.ratio}`;
}

let enabled = false;
const disabledSpan = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Whether this process may record spans; when not, the hot path skips span bookkeeping.
 * False without an exporter and with a sampler that never samples.
 */
export function tracingEnabled(): boolean {
  return enabled;
}

const noTracing: Tracing = { flush: () => Promise.resolve(), shutdown: () => Promise.resolve() };

interface Flushable {
  forceFlush?: () => Promise<void>;
}

async function flushSpans(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => Flushable };
  await provider.getDelegate?.().forceFlush?.();
}

/**
 * Starts the SDK when an exporter is configured (or given, as tests do) and the sampler can
 * sample; else a no-op. The sampler comes from `env` (OTEL_TRACES_SAMPLER and _ARG).
 */
export function startTracing(
  serviceName: string,
  exporter?: SpanExporter,
  env = process.env,
): Tracing {
  const sampler = samplerChoiceFromEnv(env);
  if (!exporter && !exporterConfigured(env)) return noTracing;
  if (neverSamples(sampler)) return noTracing;
  const sdk = new NodeSDK({
    serviceName,
    instrumentations: [],
    sampler: samplerFor(sampler),
    // A given exporter (tests) gets every span as it ends, not in batches.
    ...(exporter ? { spanProcessors: [new SimpleSpanProcessor(exporter)] } : {}),
  });
  sdk.start();
  current = trace.getTracer('flashsale');
  enabled = true;
  return {
    flush: flushSpans,
    shutdown: async () => {
      enabled = false;
      await sdk.shutdown();
      // The SDK leaves its providers registered; unregister them so tracing can start again
      // (a test may start it with another sampler in the same process).
      trace.disable();
      context.disable();
      propagation.disable();
      current = trace.getTracer('flashsale');
    },
  };
}

/**
 * The W3C traceparent of the active span, for carrying the trace through Redis. An unsampled
 * span's is carried too (flags 00): the relay and persister then follow the API's decision
 * instead of sampling the purchase again as a new trace.
 */
export function activeTraceparent(): string | undefined {
  if (!enabled) return undefined;
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

/**
 * Runs `work` in a new active span that ends (with error status on throw) when it settles.
 * Inside a span that is not recording (its trace was not sampled where it started) no child
 * is made: the parent-based and ratio samplers would drop it too (same trace, same decision)
 * and always_on never leaves an unsampled span active, so `work` gets the unsampled span and
 * the request pays for no span bookkeeping.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!enabled) return work(disabledSpan);
  const active = trace.getActiveSpan();
  // Unsampled, not merely remote: a caller's sampled traceparent is not recording here either.
  if (active && (active.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return work(active);
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
