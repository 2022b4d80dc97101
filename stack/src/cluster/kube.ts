import { writeFile } from 'node:fs/promises';
import { run, runOrThrow } from '../exec.ts';
import { kubeconfigPath, toolBin } from '../paths.ts';
import { nodeDir } from './node-config.ts';

const env = (): NodeJS.ProcessEnv => ({ ...process.env, KUBECONFIG: kubeconfigPath() });

/** kubectl against the stack's API server; throws with kubectl's message on failure. */
export function kubectl(args: readonly string[]): Promise<string> {
  return runOrThrow(toolBin('kubectl'), args, { env: env() });
}

/** kubectl that reports failure as an exit code instead of throwing. */
export async function kubectlCode(
  args: readonly string[],
): Promise<{ code: number; output: string }> {
  return run(toolBin('kubectl'), args, { env: env() });
}

/** Applies manifests (as JSON objects) with server-side apply, owned by `flashsale-cluster`. */
export async function applyManifests(name: string, objects: readonly object[]): Promise<void> {
  const file = nodeDir(`${name}.json`);
  await writeFile(
    file,
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2),
  );
  await kubectl(['apply', '--server-side', '--field-manager=flashsale-cluster', '-f', file]);
}

export function helm(args: readonly string[], logFile?: string): Promise<string> {
  return runOrThrow(toolBin('helm'), args, { env: env(), ...(logFile ? { logFile } : {}) });
}
