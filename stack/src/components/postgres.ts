import { createHash } from 'node:crypto';
import { access, appendFile, chown, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { run, runOrThrow } from '../exec.ts';
import { loopback, port } from '../ports.ts';
import { stateDir, statePath } from '../paths.ts';
import { privateDir } from '../private-dir.ts';
import { nodeAddress, nodeNetwork } from '../node-network.ts';
import { StepError } from '../progress.ts';
import type { Component } from './component.ts';

const postgresPort = (): number => port('postgres');
export const databaseName = 'flashsale';

/** The newest PostgreSQL server installed by Debian's packages (/usr/lib/postgresql/N/bin). */
export async function postgresBinDir(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const majors = (await readdir(root).catch(() => []))
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(b) - Number(a));
  if (!majors[0]) {
    throw new StepError(
      'postgresql',
      'no PostgreSQL server found in /usr/lib/postgresql',
      'run `npx flashsale stack install`',
    );
  }
  return join(root, majors[0], 'bin');
}

/**
 * PostgreSQL refuses to run as root. When the stack runs as root (as on CI), the server runs
 * as the `postgres` account Debian's package creates, and owns its data directory.
 */
async function serverAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await runOrThrow('id', ['-u', 'postgres'])).trim());
  const gid = Number((await runOrThrow('id', ['-g', 'postgres'])).trim());
  return { uid, gid };
}

type Account = { uid: number; gid: number } | undefined;

async function ownedDir(dir: string, account: Account): Promise<void> {
  await privateDir(dir);
  if (account) await chown(dir, account.uid, account.gid);
}

/**
 * Where the server keeps its data and socket: the state directory, unless the postgres
 * account cannot reach it (a checkout under a private home directory, as root). Then a
 * directory in /var/tmp named after the state directory, so each checkout keeps its own.
 */
async function serverRoot(account: Account): Promise<string> {
  if (!account) return stateDir();
  await mkdir(stateDir(), { recursive: true });
  const reachable = await run('test', ['-x', stateDir()], account);
  if (reachable.code === 0) return stateDir();
  return fallbackServerRoot(stateDir());
}

/** The /var/tmp directory a state directory's PostgreSQL data moves to when it must. */
export function fallbackServerRoot(forStateDir: string): string {
  const digest = createHash('sha256').update(forStateDir).digest('hex').slice(0, 12);
  return join('/var/tmp', `flashsale-${digest}`);
}

async function serverPaths(): Promise<{ account: Account; data: string; socket: string }> {
  const account = await serverAccount();
  const root = await serverRoot(account);
  return { account, data: join(root, 'data', 'postgres'), socket: join(root, 'run', 'postgres') };
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** The pg_hba.conf line that lets the cluster's pods in (they connect from the pod range). */
export const podHbaLine = `host all all ${nodeNetwork.podCidr} trust`;

/** Adds `podHbaLine` once; harmless while no cluster runs (nothing listens there then). */
async function allowPods(data: string): Promise<void> {
  const hba = join(data, 'pg_hba.conf');
  const text = await readFile(hba, 'utf8');
  if (!text.split('\n').includes(podHbaLine)) await appendFile(hba, `${podHbaLine}\n`);
}

function client(database: string): pg.Client {
  return new pg.Client({
    host: loopback,
    port: postgresPort(),
    user: 'postgres',
    database,
    connectionTimeoutMillis: 1000,
  });
}

export const postgres: Component = {
  name: 'postgresql',
  dependsOn: [],
  portName: 'postgres',
  endpoints: () => ({
    DATABASE_URL: `postgres://postgres@${loopback}:${postgresPort()}/${databaseName}`,
  }),
  prepare: async () => {
    const { account, data, socket } = await serverPaths();
    await ownedDir(data, account);
    await ownedDir(socket, account);
    if (await exists(join(data, 'PG_VERSION'))) return allowPods(data);
    const initdb = join(await postgresBinDir(), 'initdb');
    const args = [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ];
    await runOrThrow(initdb, args, {
      ...account,
      logFile: statePath('logs', 'postgresql-initdb.log'),
    });
    await allowPods(data);
  },
  launchSpec: async () => {
    const { account, data, socket } = await serverPaths();
    return {
      name: 'postgresql',
      cmd: join(await postgresBinDir(), 'postgres'),
      args: [
        ...['-D', data],
        ...['-c', `listen_addresses=${[loopback, nodeAddress()].filter(Boolean).join(',')}`],
        ...['-c', `port=${postgresPort()}`],
        ...['-c', `unix_socket_directories=${socket}`],
        ...['-c', 'max_connections=300'],
      ],
      ...account,
    };
  },
  isReady: async () => {
    const probe = client('postgres');
    try {
      await probe.connect();
      await probe.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await probe.end().catch(() => undefined);
    }
  },
  afterReady: async () => {
    const admin = client('postgres');
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        databaseName,
      ]);
      if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${databaseName}`);
    } finally {
      await admin.end();
    }
  },
  readyTimeoutMs: 30_000,
};
