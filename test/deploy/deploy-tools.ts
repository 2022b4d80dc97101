import { execFile } from 'node:child_process';
import { projectRoot, toolBin } from '@flashsale/stack';

/** Test support for the deploy: specs: the real helm and kubectl, as a user runs them. */
export interface ToolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const chartPath = 'charts/flash-sale';
export const ciScenarios = ['default', 'minimal', 'production'] as const;

/** The Kubernetes the chart is rendered for in these specs: the stack's kube-apiserver line. */
export const kubeVersion = '1.36.0';

export function runTool(
  tool: 'helm' | 'kubectl',
  args: readonly string[],
  options: { kubeconfig?: string; input?: string } = {},
): Promise<ToolResult> {
  const env = { ...process.env, ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}) };
  return new Promise((resolve) => {
    const child = execFile(
      toolBin(tool),
      args,
      { env, cwd: projectRoot, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? -1 : 0;
        resolve({ exitCode: code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function mustRun(
  tool: 'helm' | 'kubectl',
  args: readonly string[],
  options: { kubeconfig?: string; input?: string } = {},
): Promise<string> {
  const result = await runTool(tool, args, options);
  if (result.exitCode !== 0) {
    throw new Error(`${tool} ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  }
  return result.stdout;
}

/** `helm template` of one ci/<scenario>-values.yaml into `namespace`. */
export function renderScenario(
  scenario: string,
  namespace: string,
  extra: readonly string[] = [],
): Promise<string> {
  return mustRun('helm', [
    'template',
    'fs-ci',
    chartPath,
    '--namespace',
    namespace,
    '--kube-version',
    kubeVersion,
    '--values',
    `${chartPath}/ci/${scenario}-values.yaml`,
    ...extra,
  ]);
}
