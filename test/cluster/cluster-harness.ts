import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  clusterDown,
  clusterStatus,
  clusterUp,
  kubeconfigPath,
  readEnvFile,
  releaseName,
  releaseNamespace,
  run,
  stateDir,
  toolBin,
} from '@flashsale/stack';

/**
 * The real one-node cluster (`flashsale cluster up`), started at most once per run. When
 * the harness started it, the last spec (or the run's end) takes it down again.
 */
export interface ClusterEnv {
  readonly apiUrl: string;
  readonly webUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly namespace: string;
  readonly release: string;
}

let starting: Promise<ClusterEnv> | undefined;
let startedByHarness = false;

async function bringUp(): Promise<ClusterEnv> {
  startedByHarness = !(await clusterStatus()).nodeReady;
  const { apiUrl, webUrl } = await clusterUp();
  const env = await readEnvFile();
  const databaseUrl = env.DATABASE_URL;
  const redisUrl = env.REDIS_URL;
  if (!databaseUrl || !redisUrl) throw new Error('the stack reported no DATABASE_URL/REDIS_URL');
  return {
    apiUrl,
    webUrl,
    databaseUrl,
    redisUrl,
    namespace: releaseNamespace,
    release: releaseName,
  };
}

/** Call from `beforeAll` with `clusterStartTimeoutMs`. */
export function useCluster(): Promise<ClusterEnv> {
  starting ??= bringUp();
  return starting;
}

/** A cold `cluster up` builds five images and starts a node: give it room. */
export const clusterStartTimeoutMs = 15 * 60_000;

export async function releaseCluster(): Promise<void> {
  if (!starting || !startedByHarness || process.env.FLASHSALE_KEEP_STACK === '1') return;
  await starting.catch(() => undefined);
  await clusterDown();
  starting = undefined;
}

const kubeEnv = (): NodeJS.ProcessEnv => ({ ...process.env, KUBECONFIG: kubeconfigPath() });

/** kubectl against the cluster: exit code and output, never throws. */
export function kubectl(args: readonly string[]): Promise<{ code: number; output: string }> {
  return run(toolBin('kubectl'), args, { env: kubeEnv() });
}

/** kubectl that must succeed; returns its output. */
export async function mustKubectl(args: readonly string[]): Promise<string> {
  const result = await kubectl(args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.output}`);
  return result.output;
}

export async function kubectlJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await mustKubectl([...args, '-o', 'json'])) as T;
}

/** Applies one manifest given as an object. */
export async function applyObject(object: object): Promise<void> {
  const file = join(stateDir(), `test-${randomBytes(4).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(object));
  await mustKubectl(['apply', '-f', file]);
}

export function helm(args: readonly string[]): Promise<{ code: number; output: string }> {
  return run(toolBin('helm'), args, { env: kubeEnv() });
}

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
    status: { phase?: string; conditions?: { type: string; status: string }[] };
  }[];
}

/** Names of the pods of one component of the release that are Ready (and not terminating). */
export async function readyPods(env: ClusterEnv, component: string): Promise<string[]> {
  const pods = await kubectlJson<PodList>([
    'get',
    'pods',
    '-n',
    env.namespace,
    '-l',
    `app.kubernetes.io/component=${component}`,
  ]);
  return pods.items
    .filter((pod) => !pod.metadata.deletionTimestamp)
    .filter((pod) => pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((pod) => pod.metadata.name);
}

/** A token from the API's dev login (the cluster's chart enables it). */
export async function devToken(env: ClusterEnv, userId: string): Promise<string> {
  const response = await fetch(`${env.apiUrl}/api/auth/dev-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (response.status !== 200) throw new Error(`dev-login answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** A FlashSale in the release namespace, open now (or as given), for the operator to configure. */
export function flashSale(
  name: string,
  spec: { stock: number; startsAt: Date; endsAt: Date; capacity?: object },
): object {
  return {
    apiVersion: 'flashsale.io/v1alpha1',
    kind: 'FlashSale',
    metadata: { name, namespace: releaseNamespace },
    spec: {
      product: { sku: `SKU-${name}`.slice(0, 32), title: `Cluster spec ${name}`, priceCents: 1000 },
      stock: spec.stock,
      perUserLimit: 1,
      startsAt: spec.startsAt.toISOString(),
      endsAt: spec.endsAt.toISOString(),
      ...(spec.capacity ? { capacity: spec.capacity } : {}),
    },
  };
}

export const uniqueName = (label: string): string => `${label}-${randomBytes(3).toString('hex')}`;
