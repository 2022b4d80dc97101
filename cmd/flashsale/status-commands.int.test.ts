import { execFile } from 'node:child_process';
import { join } from 'node:path';
import {
  clusterApiUrl,
  clusterWebUrl,
  envFilePath,
  nodeNetwork,
  projectRoot,
} from '@flashsale/stack';
import { stackStartTimeoutMs, useStack, type StackEnv } from '@flashsale/testkit';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function flashsale(...args: string[]): Promise<CliRun> {
  const cli = join(projectRoot, 'cmd', 'flashsale', 'flashsale.mjs');
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: projectRoot }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const stackComponents = [
  'redis',
  'postgresql',
  'kafka',
  'etcd',
  'prometheus',
  'kube-apiserver',
  'jaeger',
];
/** The components doctor reports as servers (with a pid) rather than tools. */
const servers = stackComponents;

const portOf = (url: string): number => Number(new URL(url).port);

/**
 * `stack status`, `doctor` and `cluster status` as a script reads them, on the running stack:
 * exactly the JSON docs/cli.md documents on stdout, and exit 0 when every tool is there.
 */
describe('flashsale status commands (CLI, real stack)', () => {
  let stack: StackEnv;

  beforeAll(async () => {
    stack = await useStack();
  }, stackStartTimeoutMs);

  it('stack status --json lists every component running, on the ports the stack serves', async () => {
    const run = await flashsale('stack', 'status', '--json');
    expect(run.code).withContext(run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(rows.map((row) => row.name)).toEqual(stackComponents);
    for (const row of rows) {
      expect(Object.keys(row).sort())
        .withContext(String(row.name))
        .toEqual(['name', 'pid', 'port', 'ready']);
      expect(row.ready).withContext(String(row.name)).toBeTrue();
      expect(Number.isInteger(row.pid)).withContext(String(row.name)).toBeTrue();
    }
    const port = (name: string): unknown => rows.find((row) => row.name === name)?.port;
    expect(port('redis')).toBe(portOf(stack.REDIS_URL));
    expect(port('postgresql')).toBe(portOf(stack.DATABASE_URL));
    expect(port('prometheus')).toBe(portOf(stack.PROMETHEUS_URL));

    const text = await flashsale('stack', 'status');
    expect(text.stdout.trimEnd().split('\n')).toEqual(
      rows.map((row) =>
        jasmine.stringMatching(
          new RegExp(
            `^${String(row.name)} +127\\.0\\.0\\.1:${String(row.port)} +running \\(pid ${String(row.pid)}\\)$`,
          ),
        ),
      ),
    );
  });

  it('doctor --json gives every tool its version and every server its pid, exit 0', async () => {
    const run = await flashsale('doctor', '--json');
    expect(run.code).withContext(run.stdout).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(rows.map((row) => row.name)).toEqual([
      'redis',
      'postgresql',
      'kafka',
      'k6',
      'helm',
      'etcd',
      'kube-apiserver',
      'kubectl',
      'prometheus',
      'jaeger',
      'chromium',
    ]);
    for (const row of rows) {
      const name = String(row.name);
      expect(Object.keys(row).sort())
        .withContext(name)
        .toEqual(['name', 'pid', 'state', 'version']);
      expect(row.version)
        .withContext(name)
        .toMatch(/\d+\.\d+/);
      const server = servers.includes(name);
      expect(row.state)
        .withContext(name)
        .toBe(server ? 'running' : 'tool');
      expect(server ? Number.isInteger(row.pid) : row.pid)
        .withContext(name)
        .toBe(server || null);
    }
  });

  it('cluster status --json reports no node of this checkout, with its endpoints', async () => {
    const run = await flashsale('cluster', 'status', '--json');
    expect(run.code).withContext(run.stderr).toBe(0);
    const status = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(status).toEqual({
      running: [],
      nodeReady: false,
      bridge: jasmine.any(Boolean),
      // The bridge is the machine's, not this checkout's: another checkout's node may own it.
      nodeAddress: status.bridge === true ? nodeNetwork.nodeIp : null,
      mounts: 0,
      iptablesRules: jasmine.any(Number),
      apiUrl: clusterApiUrl(),
      webUrl: clusterWebUrl(),
      envFile: envFilePath(),
    });
    const text = await flashsale('cluster', 'status');
    expect(text.stdout).toMatch(/^node components: none running\nnode Ready: +no\n/);
  });
});
