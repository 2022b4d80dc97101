import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  activeTraceparent,
  context,
  contextFrom,
  describeSampler,
  inSpan,
  samplerChoiceFromEnv,
  startTracing,
  tracingEnabled,
  type Tracing,
} from './tracing.ts';

describe('tracing: samplerChoiceFromEnv', () => {
  it('defaults to parentbased_always_on, as the OpenTelemetry specification does', () => {
    expect(samplerChoiceFromEnv({})).toEqual({ name: 'parentbased_always_on' });
  });

  it('reads a ratio sampler with its argument', () => {
    const choice = samplerChoiceFromEnv({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
    });
    expect(choice).toEqual({ name: 'parentbased_traceidratio', ratio: 0.01 });
    expect(describeSampler(choice)).toBe('parentbased_traceidratio 0.01');
  });

  it('takes a missing ratio as 1', () => {
    expect(samplerChoiceFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toEqual({
      name: 'traceidratio',
      ratio: 1,
    });
  });

  it('rejects an unknown sampler, naming the variable and the choices', () => {
    expect(() => samplerChoiceFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrowError(
      /OTEL_TRACES_SAMPLER="sometimes" is invalid: use one of always_on, always_off, traceidratio/,
    );
  });

  it('rejects a ratio outside 0..1, naming the variable', () => {
    for (const bad of ['1.5', '-0.1', 'half']) {
      expect(() =>
        samplerChoiceFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: bad }),
      ).toThrowError(
        /OTEL_TRACES_SAMPLER_ARG=".*" is invalid: the ratio must be a number from 0 to 1/,
      );
    }
  });
});

/** Spans the project's own code makes, with the sampler from `env`, into memory. */
describe('tracing: the sampler from the environment is honoured', () => {
  // A fresh exporter each time: shutting tracing down stops the exporter it was given.
  let exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;

  const start = (env: NodeJS.ProcessEnv): void => {
    exporter = new InMemorySpanExporter();
    tracing = startTracing('flashsale-sampler-test', exporter, env);
  };
  const purchases = async (count: number): Promise<void> => {
    for (let index = 0; index < count; index++) {
      await inSpan('request', {}, () => inSpan('redis purchase-decision', {}, async () => {}));
    }
    await tracing?.flush();
  };

  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
  });

  it('records every span with always_on', async () => {
    start({ OTEL_TRACES_SAMPLER: 'always_on' });
    await purchases(20);
    expect(exporter.getFinishedSpans().length).toBe(40);
  });

  it('records no span and skips the bookkeeping with always_off', async () => {
    start({ OTEL_TRACES_SAMPLER: 'always_off' });
    expect(tracingEnabled()).toBeFalse();
    await purchases(20);
    expect(exporter.getFinishedSpans().length).toBe(0);
    expect(activeTraceparent()).toBeUndefined();
  });

  it('records no span with traceidratio 0', async () => {
    start({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    expect(tracingEnabled()).toBeFalse();
    await purchases(20);
    expect(exporter.getFinishedSpans().length).toBe(0);
  });

  it('keeps whole traces at a ratio: a child is recorded exactly when its parent is', async () => {
    start({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' });
    await purchases(400);
    const spans = exporter.getFinishedSpans();
    const roots = spans.filter((span) => span.name === 'request').length;
    // 400 traces at 0.5: far from none and far from all (binomial, sd 10).
    expect(roots).toBeGreaterThan(100);
    expect(roots).toBeLessThan(300);
    expect(spans.filter((span) => span.name === 'redis purchase-decision').length).toBe(roots);
  });

  it('follows a sampled caller under parentbased_traceidratio 0, and makes no child of an unsampled one', async () => {
    start({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    expect(tracingEnabled()).toBeTrue();
    const caller = (flags: string) =>
      contextFrom({ traceparent: `00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-${flags}` });
    await context.with(caller('01'), () => purchases(1));
    expect(exporter.getFinishedSpans().length).toBe(2);
    exporter.reset();
    await context.with(caller('00'), () => purchases(1));
    await purchases(5);
    expect(exporter.getFinishedSpans().length).toBe(0);
  });

  it('makes no child span at all inside an unsampled one (no bookkeeping for it)', async () => {
    start({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    const [outer, inner] = await inSpan('request', {}, (request) =>
      inSpan('redis purchase-decision', {}, (decision) => Promise.resolve([request, decision])),
    );
    expect(inner).toBe(outer);
  });

  it('carries an unsampled decision on, so the relay and persister follow it', async () => {
    start({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    const carried = await inSpan('request', {}, () => Promise.resolve(activeTraceparent()));
    expect(carried).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});
