import { mkdir } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { loopback, port } from '../ports.ts';
import { statePath } from '../paths.ts';
import { nodeAddress } from '../node-network.ts';
import type { Component } from './component.ts';

const redisPort = (): number => port('redis');

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
      // Append-only file with fsync every second: a confirmed purchase lives in Redis
      // before it reaches Kafka, so the local stack keeps the durability production uses.
      args: [
        '--port',
        String(redisPort()),
        // Also on the cluster's node address while `cluster up` has created it (pods use it).
        // Protected mode would refuse the pods (no password): the only other address is the
        // bridge the cluster made on this machine.
        ...bindArgs(nodeAddress()),
        '--dir',
        statePath('data', 'redis'),
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--daemonize',
        'no',
        '--logfile',
        '',
      ],
    }),
  isReady: async () => {
    const client = new Redis(redisPort(), loopback, {
      lazyConnect: true,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    // A refused connection is the answer "not ready", not an error worth printing.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  },
  readyTimeoutMs: 20_000,
};
