import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fallbackServerRoot, projectRoot } from '@flashsale/stack';
import { isolatedNames } from '@flashsale/testkit';

const exec = promisify(execFile);

/**
 * Drives `flashsale stack` exactly as a user does, on a second, private stack (its own
 * state directory and ports), so stopping it does not disturb the stack other specs use.
 */
describe('flashsale stack lifecycle (CLI, private stack)', () => {
  const names = isolatedNames('lifecycle');
  const stateDir = join(projectRoot, '.flashsale', 'test-stacks', names.id);
  const env = {
    ...process.env,
    FLASHSALE_STATE_DIR: stateDir,
    FLASHSALE_REDIS_PORT: '26379',
    FLASHSALE_POSTGRES_PORT: '25432',
    FLASHSALE_KAFKA_PORT: '29092',
    FLASHSALE_KAFKA_CONTROLLER_PORT: '29093',
    FLASHSALE_ETCD_PORT: '22379',
    FLASHSALE_ETCD_PEER_PORT: '22380',
    FLASHSALE_KUBE_APISERVER_PORT: '26443',
    FLASHSALE_PROMETHEUS_PORT: '29090',
    FLASHSALE_JAEGER_PORT: '26687',
    FLASHSALE_JAEGER_QUERY_GRPC_PORT: '26688',
    FLASHSALE_OTLP_GRPC_PORT: '24317',
    FLASHSALE_OTLP_HTTP_PORT: '24318',
  };

  async function flashsale(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    const cli = join(projectRoot, 'cmd', 'flashsale', 'flashsale.mjs');
    return exec(process.execPath, [cli, ...args], { env, cwd: projectRoot, timeout: 170_000 });
  }

  async function pids(): Promise<Record<string, number>> {
    const { stdout } = await flashsale('stack', 'status');
    const entries = stdout
      .trim()
      .split('\n')
      .map((line) => {
        const match = /^(\S+)\s+\S+\s+running \(pid (\d+)\)$/.exec(line);
        return [match?.[1] ?? line, Number(match?.[2] ?? NaN)] as const;
      });
    return Object.fromEntries(entries);
  }

  /** Processes whose command line names the private state directory: all are ours. */
  async function processesOfThisStack(): Promise<number[]> {
    const found: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(stateDir) && !cmdline.includes('flashsale.mjs'))
        found.push(Number(entry));
    }
    return found;
  }

  async function isAlive(pid: number): Promise<boolean> {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  }

  beforeAll(async () => {
    await mkdir(stateDir, { recursive: true });
  });

  afterAll(async () => {
    await flashsale('stack', 'down').catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
    await rm(fallbackServerRoot(stateDir), { recursive: true, force: true });
  }, 120_000);

  it('comes up, is harmless to start twice, restarts only what crashed, and leaves no process after down', async () => {
    const first = await flashsale('stack', 'up');
    expect(first.stdout).toContain("export REDIS_URL='redis://127.0.0.1:26379'\n");
    expect(first.stdout).toContain(
      "export DATABASE_URL='postgres://postgres@127.0.0.1:25432/flashsale'\n",
    );
    expect(first.stdout).toContain("export KAFKA_BROKERS='127.0.0.1:29092'\n");
    expect(first.stdout).toContain(`export KUBECONFIG='${stateDir}/kubeconfig'\n`);
    expect(first.stdout).toContain("export PROMETHEUS_URL='http://127.0.0.1:29090'\n");
    expect(first.stdout).toContain("export JAEGER_URL='http://127.0.0.1:26687'\n");
    expect(first.stdout).toContain("export OTEL_EXPORTER_OTLP_ENDPOINT='http://127.0.0.1:24318'\n");
    expect(await readFile(join(stateDir, 'stack.env'), 'utf8')).toBe(first.stdout);

    const before = await pids();
    expect(Object.keys(before).sort()).toEqual([
      'etcd',
      'jaeger',
      'kafka',
      'kube-apiserver',
      'postgresql',
      'prometheus',
      'redis',
    ]);
    expect(Object.values(before).every(Number.isInteger)).toBeTrue();

    const second = await flashsale('stack', 'up');
    expect(second.stderr.match(/already running/g)?.length).toBe(7);
    expect(await pids()).toEqual(before);

    process.kill(-(before.redis ?? 0), 'SIGKILL');
    const third = await flashsale('stack', 'up');
    expect(third.stderr).toMatch(/redis: started in/);
    expect(third.stderr.match(/already running/g)?.length).toBe(6);
    const after = await pids();
    expect(after.redis).not.toBe(before.redis);
    expect({ ...after, redis: 0 }).toEqual({ ...before, redis: 0 });

    const doctor = JSON.parse((await flashsale('doctor', '--json')).stdout) as {
      name: string;
      version?: string;
      state: string;
    }[];
    expect(doctor.map((row) => row.name)).toEqual([
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
    expect(doctor.filter((row) => !row.version)).toEqual([]);
    expect(
      doctor
        .filter((row) => row.state === 'running')
        .map((row) => row.name)
        .sort(),
    ).toEqual(['etcd', 'jaeger', 'kafka', 'kube-apiserver', 'postgresql', 'prometheus', 'redis']);

    // Found by pid (Redis rewrites its process title; PostgreSQL's data may live outside the
    // state directory), and by state directory for anything they may have spawned.
    expect(await Promise.all(Object.values(after).map((pid) => isAlive(pid)))).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    await flashsale('stack', 'down');
    expect(await processesOfThisStack()).toEqual([]);
    const survivors = await Promise.all(Object.values(after).map((pid) => isAlive(pid)));
    expect(survivors).toEqual([false, false, false, false, false, false, false]);
  }, 400_000);
});
