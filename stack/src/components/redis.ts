import { mkdir } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { loopback, port } from '../ports.ts';
import { statePath } from '../paths.ts';
import { nodeAddress } from '../node-network.ts';
import type { Component } from './component.ts';

const redisPort = (): number => port('redis');

/**
 * The durability the platform needs (docs/durability.md): the append-only file, fsynced
 * before Redis answers (`always`: a confirmed purchase survives a machine crash, not only a
 * Redis crash), no RDB snapshots, and never an eviction (it could drop idempotency keys and
 * the outbox). Shared by the stack's Redis and the extra servers `startRedisServer` starts.
 */
export function redisServerArgs(serverPort: number, dir: string, node?: string): string[] {
  return [
    '--port',
    String(serverPort),
    // Also on the cluster's node address while `cluster up` has created it (pods use it).
    ...bindArgs(node),
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
}

/**
 * One question to a Redis server on the loopback port, on a client of its own that never
 * retries: the answer, or undefined while the server does not answer. Never throws.
 */
export async function askRedis<T>(
  serverPort: number,
  ask: (client: Redis) => Promise<T>,
): Promise<T | undefined> {
  const client = new Redis(serverPort, loopback, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // A refused connection is the answer "not ready", not an error worth printing.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await ask(client);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** True when a Redis server answers PING on the loopback port; never throws. */
export async function redisAnswers(serverPort: number): Promise<boolean> {
  return (await askRedis(serverPort, (client) => client.ping())) === 'PONG';
}

/**
 * Protected mode would refuse the pods (no password); the only other address is the bridge
 * the cluster made on this machine.
 */
export function bindArgs(node: string | undefined): string[] {
  return node ? ['--bind', loopback, node, '--protected-mode', 'no'] : ['--bind', loopback];
}

export const redis: Component = {
  name: 'redis',
  dependsOn: [],
  portName: 'redis',
  endpoints: () => ({ REDIS_URL: `redis://${loopback}:${redisPort()}` }),
  prepare: async () => {
    await mkdir(statePath('data', 'redis'), { recursive: true });
  },
  launchSpec: () =>
    Promise.resolve({
      name: 'redis',
      cmd: 'redis-server',
      args: redisServerArgs(redisPort(), statePath('data', 'redis'), nodeAddress()),
    }),
  isReady: () => redisAnswers(redisPort()),
  readyTimeoutMs: 20_000,
};
