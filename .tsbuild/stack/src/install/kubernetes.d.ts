import type { GoBuild } from './go-build.ts';
/**
 * k8s.io/kubernetes requires its staging modules (k8s.io/api, k8s.io/apiserver, ...) at
 * v0.0.0 and replaces them with directories of its own repository. Those replaces do not
 * apply to a module that requires it, so the wrapper replaces each one with the published
 * v0.<minor>.<patch> release. The list comes from the release's own go.mod, so a new
 * Kubernetes version brings its own list.
 */
export declare function stagingReplaces(kubernetesGoMod: string, kubernetesVersion: string): string[];
export declare function kubernetesWrapperGoMod(kubernetesGoMod: string, kubernetesVersion: string): string;
/** The -X flags that make `kube-apiserver --version`, `/version` and `kubectl version` honest. */
export declare function kubernetesVersionLdflags(kubernetesVersion: string, buildDate: string): string[];
/** kube-apiserver and kubectl, built from one wrapper module at one Kubernetes release. */
export declare function kubernetesBuild(): Promise<GoBuild>;
