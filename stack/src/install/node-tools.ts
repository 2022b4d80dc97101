import { versions } from '../versions.ts';
import type { GoBuild } from './go-build.ts';

/**
 * containerd 2.x with its runc shim and `ctr`, from the Go module proxy (its go.mod has no
 * replace directives, so a plain `go install` builds it). Static: the btrfs snapshotter,
 * which needs cgo, is left out; the node uses overlayfs.
 */
export const containerdBuild: GoBuild = {
  name: 'containerd',
  binaries: ['containerd', 'ctr', 'containerd-shim-runc-v2'],
  packages: ['containerd', 'ctr', 'containerd-shim-runc-v2'].map(
    (cmd) => `github.com/containerd/containerd/v2/cmd/${cmd}`,
  ),
  version: `v${versions.containerd}`,
  ldflags: [
    `-X github.com/containerd/containerd/v2/version.Version=v${versions.containerd}`,
    `-X github.com/containerd/containerd/v2/version.Revision=v${versions.containerd}`,
  ],
};

/**
 * The plugins the node's CoreDNS serves with, in CoreDNS's own plugin order: Service names
 * from the API server, nothing forwarded anywhere else (no `forward` plugin is compiled in).
 */
export const corednsPlugins = ['bind', 'ready', 'health', 'errors', 'log', 'cache', 'kubernetes'];

const corednsMain = [
  '// CoreDNS with a fixed set of plugins, the way CoreDNS documents external builds.',
  'package main',
  '',
  'import (',
  '\t"github.com/coredns/coredns/core/dnsserver"',
  '\t"github.com/coredns/coredns/coremain"',
  '',
  ...corednsPlugins.map((plugin) => `\t_ "github.com/coredns/coredns/plugin/${plugin}"`),
  ')',
  '',
  'func init() {',
  `\tdnsserver.Directives = []string{${corednsPlugins.map((plugin) => `"${plugin}"`).join(', ')}}`,
  '}',
  '',
  'func main() { coremain.Run() }',
  '',
].join('\n');

/** CoreDNS from a wrapper module whose main links only `corednsPlugins`. */
export const corednsBuild: GoBuild = {
  name: 'coredns',
  binaries: ['coredns'],
  packages: ['flashsale.local/coredns'],
  version: `v${versions.coredns}`,
  goMod: [
    'module flashsale.local/coredns',
    '',
    'go 1.26',
    '',
    `require github.com/coredns/coredns v${versions.coredns}`,
    '',
  ].join('\n'),
  files: { 'main.go': corednsMain },
  ldflags: [`-X github.com/coredns/coredns/coremain.GitCommit=v${versions.coredns}`],
};

const pauseMain = `// The pod sandbox's first process: it holds the pod's namespaces, reaps orphaned
// children and exits on SIGINT or SIGTERM.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for sig := range signals {
		if sig != syscall.SIGCHLD {
			os.Exit(0)
		}
		reap()
	}
}

func reap() {
	for {
		pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
`;

/**
 * The sandbox ("pause") process, built here so the node never pulls registry.k8s.io/pause:
 * a few lines of Go with no dependencies.
 */
export const pauseBuild: GoBuild = {
  name: 'pause',
  binaries: ['pause'],
  packages: ['flashsale.local/pause'],
  version: 'v1',
  goMod: 'module flashsale.local/pause\n\ngo 1.26\n',
  files: { 'main.go': pauseMain },
};

/** crictl (cri-tools), which talks to the runtime the way the kubelet does. */
export const crictlBuild: GoBuild = {
  name: 'crictl',
  binaries: ['crictl'],
  packages: ['sigs.k8s.io/cri-tools/cmd/crictl'],
  version: `v${versions.criTools}`,
  ldflags: [`-X sigs.k8s.io/cri-tools/pkg/version.Version=v${versions.criTools}`],
};
