import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pinned } from './cores.ts';
import { readProcCpu } from './cpu-time.ts';
import { pollUntil } from '@flashsale/runtime';

/** A process the bench started: an API, relay or persister as `npm start` runs it, or a baseline. */
export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  /** Its HTTP base URL (the API or baseline itself, or a background process's ops port). */
  readonly url: string;
  /** User + system CPU ticks so far. */
  cpuTicks(): Promise<number>;
  stop(): Promise<void>;
}

export interface BenchProcessSpec {
  readonly name: string;
  /** Path of the entry script under the project root (run with `node --import tsx`). */
  readonly script: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where it answers 200 once ready (relative to `url`). */
  readonly readyPath: string;
  readonly port: number;
  readonly cores?: string;
  /** The Node binary; this process's when absent. */
  readonly node?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
  /** Arguments after the script. */
  readonly args?: readonly string[];
}

/** A free loopback port, chosen by the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('the kernel gave no free port');
  return address.port;
}

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

async function waitReady(spec: BenchProcessSpec, child: ChildProcess, output: () => string) {
  const url = `http://127.0.0.1:${spec.port}${spec.readyPath}`;
  const seen = await pollUntil(
    async () => {
      if (child.exitCode !== null) return 'exited';
      return (await ready(url)) ? 'ready' : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  if (seen === 'ready') return;
  child.kill('SIGKILL');
  throw new Error(
    `bench process ${spec.name} did not become ready at ${url}; it printed:\n${output()}`,
  );
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killed = sleep(30_000).then(() => child.kill('SIGKILL'));
    await Promise.race([exited, killed]);
  };
}

/** Starts one process, pinned when `cores` is given, and waits until it is ready. */
export async function startBenchProcess(
  projectRoot: string,
  spec: BenchProcessSpec,
): Promise<BenchProcess> {
  const nodeArgs = [
    ...(spec.nodeFlags ?? []),
    '--import',
    'tsx',
    join(projectRoot, spec.script),
    ...(spec.args ?? []),
  ];
  const { command, args } = pinned(spec.cores, spec.node ?? process.execPath, nodeArgs);
  const child = spawn(command, args, {
    cwd: projectRoot,
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Keep the tail of what it printed, for the error message if it never gets ready.
  let printed = '';
  const keep = (chunk: Buffer): void => {
    printed = (printed + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await waitReady(spec, child, () => printed);
  const pid = child.pid ?? 0;
  return {
    name: spec.name,
    pid,
    url: `http://127.0.0.1:${spec.port}`,
    cpuTicks: async () => (await readProcCpu(pid)).self,
    stop: stopper(child),
  };
}
