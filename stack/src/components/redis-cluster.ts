import { mkdir } from 'node:fs/promises';
import { run } from '../exec.ts';
import { statePath } from '../paths.ts';
import { loopback, port } from '../ports.ts';
import { StepError } from '../progress.ts';
import type { Component } from './component.ts';
import { askRedis, redisAnswers, redisServerArgs } from './redis.ts';
import { pollUntil } from '@flashsale/runtime';

/**
 * A real three-master Redis Cluster beside the stack's single Redis (docs/redis-cluster.md),
 * started when `FLASHSALE_REDIS_MODE=cluster` (or `flashsale stack up --redis-cluster`).
 * Nodes listen on FLASHSALE_REDIS_CLUSTER_PORT (16380) and the two ports after it, their
 * cluster bus 10000 above each; each node has the single Redis's durability settings.
 */
export const redisClusterSize = 3;

export type RedisMode = 'single' | 'cluster';

/** FLASHSALE_REDIS_MODE: `single` (default) or `cluster`. */
export function redisMode(env: NodeJS.ProcessEnv = process.env): RedisMode {
  const raw = env.FLASHSALE_REDIS_MODE ?? '';
  if (raw === '' || raw === 'single') return 'single';
  if (raw === 'cluster') return 'cluster';
  throw new Error(`FLASHSALE_REDIS_MODE=${raw} is not a Redis mode: give "single" or "cluster"`);
}

export const redisClusterNodePort = (index: number): number => port('redisCluster') + index;

export const redisClusterNodeName = (index: number): string => `redis-cluster-${index + 1}`;

/** `redis+cluster://127.0.0.1:16380,127.0.0.1:16381,127.0.0.1:16382`. */
export function redisClusterUrl(): string {
  const nodes = Array.from(
    { length: redisClusterSize },
    (_, index) => `${loopback}:${redisClusterNodePort(index)}`,
  );
  return `redis+cluster://${nodes.join(',')}`;
}

/**
 * One directory per node and port: nodes.conf records the peers' ports, so a cluster formed
 * on other ports (another FLASHSALE_REDIS_CLUSTER_PORT, another stack slot) is a different
 * cluster, with data of its own.
 */
const nodeDir = (index: number): string =>
  statePath('data', 'redis-cluster', String(redisClusterNodePort(index)));

export function redisClusterArgs(index: number): string[] {
  const dir = nodeDir(index);
  return [
    ...redisServerArgs(redisClusterNodePort(index), dir),
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `${dir}/nodes.conf`,
    '--cluster-node-timeout',
    '5000',
    // A master that is down takes only its own slots (its sales) with it; the others serve.
    '--cluster-require-full-coverage',
    'no',
  ];
}

/** CLUSTER INFO of one node as fields, or undefined while it does not answer. */
async function clusterInfo(nodePort: number): Promise<Map<string, string> | undefined> {
  const text = await askRedis(nodePort, (client) => client.cluster('INFO'));
  if (text === undefined) return undefined;
  return new Map(
    text
      .split(/\r?\n/)
      .filter((line) => line.includes(':'))
      .map((line) => line.split(':', 2) as [string, string]),
  );
}

const nodePorts = (): number[] =>
  Array.from({ length: redisClusterSize }, (_, index) => redisClusterNodePort(index));

async function allInfo(): Promise<(Map<string, string> | undefined)[]> {
  return Promise.all(nodePorts().map((nodePort) => clusterInfo(nodePort)));
}

function formed(infos: readonly (Map<string, string> | undefined)[]): boolean {
  return infos.every(
    (info) =>
      info?.get('cluster_state') === 'ok' &&
      info.get('cluster_known_nodes') === String(redisClusterSize) &&
      info.get('cluster_slots_assigned') === '16384' &&
      // Every master of the cluster answers; a node that merely remembers its peers does not count.
      info.get('cluster_size') === String(redisClusterSize) &&
      info.get('cluster_slots_fail') === '0' &&
      info.get('cluster_slots_pfail') === '0',
  );
}

/** Fresh nodes: each knows only itself and serves no slot. */
function fresh(infos: readonly (Map<string, string> | undefined)[]): boolean {
  return infos.every(
    (info) =>
      info?.get('cluster_known_nodes') === '1' && info.get('cluster_slots_assigned') === '0',
  );
}

async function createCluster(): Promise<void> {
  const nodes = nodePorts().map((nodePort) => `${loopback}:${nodePort}`);
  const args = ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'];
  const result = await run('redis-cli', args);
  if (result.code !== 0) {
    throw new StepError(
      'redis-cluster',
      `redis-cli --cluster create failed:\n${result.output}`,
      'stop the stack and remove .flashsale/data/redis-cluster, then start it again',
    );
  }
}

/**
 * Forms the cluster once (slots split evenly over the three masters, no replicas); after a
 * restart the nodes find each other again from their nodes.conf. Waits until every node
 * says the cluster is ok.
 */
export async function ensureRedisCluster(timeoutMs = 30_000): Promise<void> {
  if (fresh(await allInfo())) await createCluster();
  let streak = 0;
  const agreed = await pollUntil(
    async () => {
      // Twice in a row, a second apart: a restarted node says "ok" from nodes.conf at once.
      streak = formed(await allInfo()) ? streak + 1 : 0;
      return streak >= 2 ? true : undefined;
    },
    { timeoutMs, intervalMs: () => (streak > 0 ? 1000 : 200) },
  );
  if (agreed) return;
  throw new StepError(
    'redis-cluster',
    `the three nodes on ports ${nodePorts().join(', ')} did not agree on a cluster within ${timeoutMs / 1000}s`,
    'stop the stack and remove .flashsale/data/redis-cluster (a node kept an old cluster), then start it again',
  );
}

function clusterNode(index: number): Component {
  const last = index === redisClusterSize - 1;
  return {
    name: redisClusterNodeName(index),
    // The last node forms the cluster, so it waits for the others.
    dependsOn: last
      ? Array.from({ length: redisClusterSize - 1 }, (_, other) => redisClusterNodeName(other))
      : [],
    portName: 'redisCluster',
    port: () => redisClusterNodePort(index),
    // In cluster mode the platform's REDIS_URL is the cluster; the single Redis stays at hand.
    endpoints: () =>
      index === 0
        ? {
            REDIS_URL: redisClusterUrl(),
            REDIS_CLUSTER_URL: redisClusterUrl(),
            REDIS_SINGLE_URL: `redis://${loopback}:${port('redis')}`,
          }
        : {},
    prepare: async () => {
      await mkdir(nodeDir(index), { recursive: true });
    },
    launchSpec: () =>
      Promise.resolve({
        name: redisClusterNodeName(index),
        cmd: 'redis-server',
        args: redisClusterArgs(index),
      }),
    isReady: () => redisAnswers(redisClusterNodePort(index)),
    ...(last ? { afterReady: () => ensureRedisCluster() } : {}),
    readyTimeoutMs: 20_000,
  };
}

export const redisClusterNodes: readonly Component[] = Array.from(
  { length: redisClusterSize },
  (_, index) => clusterNode(index),
);
