import { readFile } from 'node:fs/promises';
import { runOrThrow } from '../exec.ts';
import { StepError } from '../progress.ts';
import { versions } from '../versions.ts';
import type { GoBuild } from './go-build.ts';

/**
 * k8s.io/kubernetes requires its staging modules (k8s.io/api, k8s.io/apiserver, ...) at
 * v0.0.0 and replaces them with directories of its own repository. Those replaces do not
 * apply to a module that requires it, so the wrapper replaces each one with the published
 * v0.<minor>.<patch> release. The list comes from the release's own go.mod, so a new
 * Kubernetes version brings its own list.
 */
export function stagingReplaces(kubernetesGoMod: string, kubernetesVersion: string): string[] {
  const [, minor, patch] = kubernetesVersion.split('.');
  const staging = new Set<string>();
  for (const line of kubernetesGoMod.split('\n')) {
    const match = /^\s*(k8s\.io\/[A-Za-z0-9._-]+)\s+v0\.0\.0\s*(?:\/\/.*)?$/.exec(line);
    if (match?.[1]) staging.add(match[1]);
  }
  return [...staging].sort().map((module) => `${module} => ${module} v0.${minor}.${patch}`);
}

export function kubernetesWrapperGoMod(kubernetesGoMod: string, kubernetesVersion: string): string {
  const replaces = stagingReplaces(kubernetesGoMod, kubernetesVersion);
  if (replaces.length === 0) {
    throw new Error(
      `k8s.io/kubernetes v${kubernetesVersion} go.mod lists no staging modules at v0.0.0`,
    );
  }
  return [
    'module flashsale.local/kubernetes-build',
    '',
    'go 1.26',
    '',
    `require k8s.io/kubernetes v${kubernetesVersion}`,
    '',
    'replace (',
    ...replaces.map((line) => `\t${line}`),
    ')',
    '',
  ].join('\n');
}

/** The -X flags that make `kube-apiserver --version`, `/version` and `kubectl version` honest. */
export function kubernetesVersionLdflags(kubernetesVersion: string, buildDate: string): string[] {
  const [major, minor] = kubernetesVersion.split('.');
  const fields = {
    gitVersion: `v${kubernetesVersion}`,
    gitMajor: major ?? '',
    gitMinor: minor ?? '',
    gitTreeState: 'clean',
    buildDate,
  };
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) =>
    Object.entries(fields).map(([name, value]) => `-X ${pkg}.${name}=${value}`),
  );
}

interface ModuleInfo {
  GoMod?: string;
  Time?: string;
  Error?: string;
}

/** Downloads the k8s.io/kubernetes go.mod from the module proxy and returns it with its release time. */
async function kubernetesModule(
  kubernetesVersion: string,
): Promise<{ goMod: string; time: string }> {
  const output = await runOrThrow('go', [
    'mod',
    'download',
    '-json',
    `k8s.io/kubernetes@v${kubernetesVersion}`,
  ]);
  const info = JSON.parse(output) as ModuleInfo;
  if (!info.GoMod) throw new Error(info.Error ?? 'the module proxy returned no go.mod');
  return { goMod: await readFile(info.GoMod, 'utf8'), time: info.Time ?? '1970-01-01T00:00:00Z' };
}

/**
 * Binaries of one Kubernetes release, built from one wrapper module. Every build of the same
 * wrapper shares the Go build cache, so the node components reuse what kube-apiserver compiled.
 */
async function kubernetesBinaries(name: string, binaries: readonly string[]): Promise<GoBuild> {
  const version = versions.kubernetes;
  let module: { goMod: string; time: string };
  try {
    module = await kubernetesModule(version);
  } catch (cause) {
    throw new StepError(
      name,
      `could not fetch k8s.io/kubernetes v${version} from the Go module proxy`,
      'check that `go env GOPROXY` reaches the module proxy, then run `npx flashsale stack install` again',
      { cause },
    );
  }
  const packages = binaries.map((binary) => `k8s.io/kubernetes/cmd/${binary}`);
  return {
    name,
    binaries,
    packages,
    version: `v${version}`,
    goMod: kubernetesWrapperGoMod(module.goMod, version),
    files: {
      'tools.go': `//go:build tools\n\npackage tools\n\nimport (\n${packages.map((pkg) => `\t_ "${pkg}"`).join('\n')}\n)\n`,
    },
    ldflags: kubernetesVersionLdflags(version, module.time),
  };
}

/** kube-apiserver and kubectl: the control plane every stack runs. */
export function kubernetesBuild(): Promise<GoBuild> {
  return kubernetesBinaries('kubernetes', ['kube-apiserver', 'kubectl']);
}

/** The node and the rest of the control plane, for `flashsale cluster up`. */
export function kubernetesNodeBuild(): Promise<GoBuild> {
  return kubernetesBinaries('kubernetes-node', [
    'kubelet',
    'kube-controller-manager',
    'kube-scheduler',
    'kube-proxy',
  ]);
}
