import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loopback, port } from '../ports.ts';
import { statePath } from '../paths.ts';
import { httpOk, type Component } from './component.ts';

export const prometheusUrl = (): string => `http://${loopback}:${port('prometheus')}`;
/** Where k6's `-o experimental-prometheus-rw` output sends its samples. */
export const prometheusRemoteWriteUrl = (): string => `${prometheusUrl()}/api/v1/write`;
const configDir = (): string => statePath('prometheus');
/** file_sd directory: one JSON file per platform process, picked up within seconds. */
export const scrapeTargetsDir = (): string => join(configDir(), 'targets');

export function prometheusConfig(targetsDir: string, selfAddress: string): string {
  return [
    'global:',
    '  scrape_interval: 2s',
    '  evaluation_interval: 2s',
    'scrape_configs:',
    '  - job_name: prometheus',
    '    static_configs:',
    `      - targets: ['${selfAddress}']`,
    '  - job_name: flashsale',
    '    file_sd_configs:',
    `      - files: ['${targetsDir}/*.json']`,
    '        refresh_interval: 5s',
    '',
  ].join('\n');
}

/**
 * Registers a process of the platform (or a test) for scraping. Prometheus watches the
 * directory, so the target appears at its next scrape without a reload.
 */
export async function registerScrapeTarget(
  name: string,
  address: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await mkdir(scrapeTargetsDir(), { recursive: true });
  const file = join(scrapeTargetsDir(), `${name}.json`);
  const tmp = `${file}.tmp`;
  await writeFile(
    tmp,
    JSON.stringify([{ targets: [address], labels: { instance_name: name, ...labels } }]),
  );
  // Prometheus only reads *.json: write elsewhere and rename, so it never sees half a file.
  await rename(tmp, file);
}

export async function unregisterScrapeTarget(name: string): Promise<void> {
  await rm(join(scrapeTargetsDir(), `${name}.json`), { force: true });
}

export const prometheus: Component = {
  name: 'prometheus',
  dependsOn: [],
  portName: 'prometheus',
  endpoints: () => ({ PROMETHEUS_URL: prometheusUrl() }),
  prepare: async () => {
    await mkdir(scrapeTargetsDir(), { recursive: true });
    await mkdir(statePath('data', 'prometheus'), { recursive: true });
    const self = `${loopback}:${port('prometheus')}`;
    await writeFile(
      join(configDir(), 'prometheus.yml'),
      prometheusConfig(scrapeTargetsDir(), self),
    );
  },
  launchSpec: () =>
    Promise.resolve({
      name: 'prometheus',
      cmd: 'prometheus',
      args: [
        `--config.file=${join(configDir(), 'prometheus.yml')}`,
        `--storage.tsdb.path=${statePath('data', 'prometheus')}`,
        `--web.listen-address=${loopback}:${port('prometheus')}`,
        '--storage.tsdb.retention.time=2d',
        '--web.enable-lifecycle',
        // k6's experimental-prometheus-rw output writes load-test results here (docs/observability.md).
        '--web.enable-remote-write-receiver',
        '--log.level=warn',
      ],
    }),
  isReady: () => httpOk(`${prometheusUrl()}/-/ready`),
  readyTimeoutMs: 30_000,
};
