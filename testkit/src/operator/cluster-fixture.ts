import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { projectRoot, toolBin } from '@flashsale/stack';
import { useStack } from '../stack.ts';

/**
 * Test support for the crd: and rbac: specs (not used by the operator at run time): the real
 * local kube-apiserver through client-node and through kubectl, as a user would drive it.
 */
export interface Cluster {
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigPath: string;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
}

export async function connectCluster(): Promise<Cluster> {
  const { KUBECONFIG } = await useStack();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(KUBECONFIG);
  return {
    kubeConfig,
    kubeconfigPath: KUBECONFIG,
    core: kubeConfig.makeApiClient(CoreV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
  };
}

export interface KubectlResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the stack's kubectl against the stack's API server; a non-zero exit is a result, not a throw. */
export function kubectl(cluster: Cluster, args: readonly string[]): Promise<KubectlResult> {
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfigPath };
  return new Promise((resolve) => {
    execFile(toolBin('kubectl'), args, { env, cwd: projectRoot }, (error, stdout, stderr) => {
      const code = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

export async function mustKubectl(cluster: Cluster, args: readonly string[]): Promise<string> {
  const result = await kubectl(cluster, args);
  if (result.exitCode !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  }
  return result.stdout;
}

/** Every YAML document in manifests/<folder>/ except the kustomization, by file name. */
export async function manifestsIn(folder: string): Promise<Map<string, unknown>> {
  const directory = join(projectRoot, 'manifests', folder);
  const files = (await readdir(directory)).filter(
    (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
  );
  const entries = await Promise.all(
    files.map(
      async (file) => [file, parse(await readFile(join(directory, file), 'utf8'))] as const,
    ),
  );
  return new Map(entries);
}

/** The message of a failed API call (client-node puts the Status object in `body`). */
export function apiErrorOf(error: unknown): { code: number | undefined; message: string } {
  const { code, body } = (error ?? {}) as { code?: number; body?: unknown };
  let message = String(body ?? error);
  try {
    message = (JSON.parse(message) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the raw body
  }
  return { code, message };
}
