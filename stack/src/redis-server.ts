import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntilTrue } from '@flashsale/runtime';
import { askRedis, redisServerArgs } from './components/redis.ts';
import { statePath } from './paths.ts';
import { loopback } from './ports.ts';

/**
 * Extra redis-server processes beside the stack's own, from the same binary and with the same
 * durability settings: a replica of the stack's Redis (`replicaOf`), or a private server a
 * spec can misconfigure (maxmemory, cluster mode, renamed commands) without touching the
 * stack. Each runs as a child of the caller, on a free loopback port of 17400-17999 (clear of
 * every stack port), with its data under `.flashsale/data/redis-extra/`; `stop()` removes it.
 */
export interface RedisServerOptions {
  /** Names the data directory and log file. */
  readonly name: string;
  /** `redis://host:port` of a primary to replicate (`--replicaof`). */
  readonly replicaOf?: string;
  /** Extra redis-server arguments, appended (later ones win): `['--maxmemory', '10mb']`. */
  readonly args?: readonly string[];
  /** For a replica: wait until the first sync from its primary is complete (default true). */
  readonly waitForSync?: boolean;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, wait for the exit, remove the data. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), wait for the exit; the data stays for a restart. */
  kill(): Promise<void>;
}

const firstPort = 17400;
const lastPort = 17999;

function portFree(candidate: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(candidate, loopback, () => probe.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const span = lastPort - firstPort + 1;
  const start = Math.floor(Math.random() * span);
  for (let offset = 0; offset < span; offset += 1) {
    const candidate = firstPort + ((start + offset) % span);
    if (await portFree(candidate)) return candidate;
  }
  throw new Error(`no free loopback port in ${firstPort}-${lastPort} for an extra redis-server`);
}

function replicaArgs(replicaOf: string | undefined): string[] {
  if (replicaOf === undefined) return [];
  const primary = new URL(replicaOf);
  return ['--replicaof', primary.hostname, primary.port || '6379'];
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  if (!(await pollUntilTrue(check, { timeoutMs: 20_000, intervalMs: 100 })))
    throw new Error(`timed out waiting for ${what}`);
}

/** INFO of one section, or undefined while the server does not answer (INFO works on a stale replica). */
async function infoOf(serverPort: number, section: string): Promise<string | undefined> {
  return askRedis(serverPort, (client) => client.info(section));
}

/**
 * Synced and settled: after a full sync a replica with the append-only file writes its initial
 * AOF in the background, and refuses to shut down until that is done.
 */
async function synced(serverPort: number): Promise<boolean> {
  const replication = (await infoOf(serverPort, 'replication')) ?? '';
  const persistence = (await infoOf(serverPort, 'persistence')) ?? '';
  return (
    /master_link_status:up/.test(replication) &&
    /master_sync_in_progress:0/.test(replication) &&
    /aof_rewrite_in_progress:0/.test(persistence) &&
    /aof_rewrite_scheduled:0/.test(persistence)
  );
}

/**
 * SIGTERM, repeated: Redis ignores one that comes while it writes its initial append-only
 * file ("Writing initial AOF, can't exit"). SIGKILL if it is still there after 15 s.
 */
async function terminate(child: ChildProcess): Promise<void> {
  const gone = exited(child);
  for (let attempt = 0; attempt < 30; attempt += 1) {
    child.kill('SIGTERM');
    const done = await Promise.race([gone.then(() => true), sleep(500).then(() => false)]);
    if (done) return;
  }
  child.kill('SIGKILL');
  await gone;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRedisServer(options: RedisServerOptions): Promise<RedisServer> {
  const serverPort = await freePort();
  const dir = statePath('data', 'redis-extra', `${options.name}-${serverPort}`);
  await mkdir(dir, { recursive: true });
  const args = [
    ...redisServerArgs(serverPort, dir),
    ...['--logfile', `${dir}/redis.log`],
    ...replicaArgs(options.replicaOf),
    ...(options.args ?? []),
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new Error(`could not start redis-server ${options.name}: ${error.message}`)),
    );
  });
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    child.kill(name);
    await exited(child);
  };
  try {
    await waitUntil(`redis-server ${options.name} on :${serverPort}`, async () => {
      if (child.exitCode !== null) {
        throw new Error(
          `redis-server ${options.name} exited with code ${child.exitCode}; see ${dir}/redis.log`,
        );
      }
      return (await infoOf(serverPort, 'server')) !== undefined;
    });
    if (options.replicaOf !== undefined && options.waitForSync !== false) {
      await waitUntil(`replica ${options.name} to sync from ${options.replicaOf}`, () =>
        synced(serverPort),
      );
    }
  } catch (error) {
    await signal('SIGKILL');
    throw error;
  }
  return {
    port: serverPort,
    url: `redis://${loopback}:${serverPort}`,
    pid: child.pid ?? -1,
    stop: async () => {
      await terminate(child);
      await rm(dir, { recursive: true, force: true });
    },
    kill: () => signal('SIGKILL'),
  };
}
