import { mkdir, writeFile } from 'node:fs/promises';
import { loopback, port } from '../ports.ts';
import { statePath, toolBin } from '../paths.ts';
import { httpOk, portInUse, type Component } from './component.ts';

/** Jaeger's query API and UI. */
export const jaegerUrl = (): string => `http://${loopback}:${port('jaeger')}`;
/** Where OTLP/HTTP exporters send (the SDK appends /v1/traces). */
export const otlpHttpEndpoint = (): string => `http://${loopback}:${port('otlpHttp')}`;

const configFile = (): string => statePath('jaeger', 'config.yaml');

export interface JaegerAddresses {
  readonly otlpGrpc: string;
  readonly otlpHttp: string;
  readonly queryHttp: string;
  readonly queryGrpc: string;
}

/**
 * Jaeger v2 as an all-in-one collector and query service: OTLP in, traces kept in memory
 * (a development receiver: a restart forgets them), every listener on loopback. The
 * collector's own metrics are off, so it does not claim the well-known 8888.
 */
export function jaegerConfig(addresses: JaegerAddresses): string {
  return [
    'service:',
    '  extensions: [jaeger_storage, jaeger_query]',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp]',
    '      processors: [batch]',
    '      exporters: [jaeger_storage_exporter]',
    '  telemetry:',
    '    metrics:',
    '      level: none',
    '    logs:',
    '      level: warn',
    'extensions:',
    '  jaeger_storage:',
    '    backends:',
    '      memory_store:',
    '        memory:',
    '          max_traces: 100000',
    '  jaeger_query:',
    '    storage:',
    '      traces: memory_store',
    // It would trace its own queries to the default OTLP endpoint, localhost:4317.
    '    enable_tracing: false',
    '    http:',
    `      endpoint: ${addresses.queryHttp}`,
    '    grpc:',
    `      endpoint: ${addresses.queryGrpc}`,
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      grpc:',
    `        endpoint: ${addresses.otlpGrpc}`,
    '      http:',
    `        endpoint: ${addresses.otlpHttp}`,
    'processors:',
    // Short batches: tests and developers look for a trace a moment after making it.
    '  batch:',
    '    timeout: 200ms',
    'exporters:',
    '  jaeger_storage_exporter:',
    '    trace_storage: memory_store',
    '',
  ].join('\n');
}

export const jaeger: Component = {
  name: 'jaeger',
  dependsOn: [],
  portName: 'jaeger',
  endpoints: () => ({ JAEGER_URL: jaegerUrl(), OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpEndpoint() }),
  prepare: async () => {
    await mkdir(statePath('jaeger'), { recursive: true });
    await writeFile(
      configFile(),
      jaegerConfig({
        otlpGrpc: `${loopback}:${port('otlpGrpc')}`,
        otlpHttp: `${loopback}:${port('otlpHttp')}`,
        queryHttp: `${loopback}:${port('jaeger')}`,
        queryGrpc: `${loopback}:${port('jaegerQueryGrpc')}`,
      }),
    );
  },
  launchSpec: () =>
    Promise.resolve({
      name: 'jaeger',
      cmd: toolBin('jaeger'),
      args: [`--config=${configFile()}`],
    }),
  // The collector starts its extensions (the query API) before its pipelines: ready means
  // the query API answers and the OTLP/HTTP receiver accepts connections.
  isReady: async () =>
    (await httpOk(`${jaegerUrl()}/api/services`)) && (await portInUse(port('otlpHttp'))),
  readyTimeoutMs: 30_000,
};
