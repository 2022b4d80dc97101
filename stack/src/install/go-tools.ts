import { versions } from '../versions.ts';
import type { GoBuild } from './go-build.ts';

/** k6 from its own module: a plain `go install` (its go.mod has no replace directives). */
export const k6Build: GoBuild = {
  name: 'k6',
  binaries: ['k6'],
  packages: ['go.k6.io/k6'],
  version: `v${versions.k6}`,
};

/** helm 3 from its own module; the version variable is set as its release build does. */
export const helmBuild: GoBuild = {
  name: 'helm',
  binaries: ['helm'],
  packages: ['helm.sh/helm/v3/cmd/helm'],
  version: `v${versions.helm}`,
  ldflags: [
    `-X helm.sh/helm/v3/internal/version.version=v${versions.helm}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
  ],
};

/**
 * etcd's server module carries replace directives pointing into its own repository, which
 * `go install` refuses; a wrapper module that requires it resolves the siblings from the
 * proxy at the same release instead.
 */
export const etcdBuild: GoBuild = {
  name: 'etcd',
  binaries: ['etcd'],
  packages: ['go.etcd.io/etcd/server/v3'],
  builtAs: ['server'],
  version: `v${versions.etcd}`,
  goMod: [
    'module flashsale.local/etcd-build',
    '',
    'go 1.26',
    '',
    `require go.etcd.io/etcd/server/v3 v${versions.etcd}`,
    '',
  ].join('\n'),
  files: {
    'tools.go': '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n',
  },
  ldflags: [`-X go.etcd.io/etcd/api/v3/version.GitSHA=v${versions.etcd}`],
};
