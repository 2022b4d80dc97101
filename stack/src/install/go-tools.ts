import { readFile } from 'node:fs/promises';
import { runOrThrow } from '../exec.ts';
import { StepError } from '../progress.ts';
import { versions } from '../versions.ts';
import type { GoBuild } from './go-build.ts';

/** k6 from its own module: a plain `go install` (its go.mod has no replace directives). */
export const k6Build: GoBuild = {
  name: 'k6',
  binaries: ['k6'],
  packages: ['go.k6.io/k6'],
  version: `v${versions.k6}`,
};

const { major: kubeMajor, minor: kubeMinor } = versions.helmKubernetes;

/** helm 3 from its own module, stamped as its release build (Makefile LDFLAGS) stamps it. */
export const helmBuild: GoBuild = {
  name: 'helm',
  binaries: ['helm'],
  packages: ['helm.sh/helm/v3/cmd/helm'],
  version: `v${versions.helm}`,
  ldflags: [
    `-X helm.sh/helm/v3/internal/version.version=v${versions.helm}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...['pkg/lint/rules', 'pkg/chartutil'].flatMap((pkg) => [
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=${kubeMajor}`,
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${kubeMinor}`,
    ]),
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

/**
 * The replace directives of a go.mod that point at another module version (`old => new vX`),
 * single-line or in a block. Directory replaces (`=> ./x`) are left out: they only make sense
 * inside the module's own repository.
 */
export function versionReplaces(goMod: string): string[] {
  const replaces: string[] = [];
  let inBlock = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (/^replace\s*\($/.test(line)) inBlock = true;
    else if (inBlock && line === ')') inBlock = false;
    const directive = versionReplace(inBlock ? line : /^replace\s+(.*)$/.exec(line)?.[1]);
    if (directive) replaces.push(directive);
  }
  return replaces;
}

/** One replace directive's body, normalised, when its target is a module version. */
function versionReplace(body: string | undefined): string | undefined {
  const match = body && /^(\S+(?:\s+v\S+)?)\s+=>\s+([^./\s]\S*)\s+(v\S+)$/.exec(body);
  return match ? `${match[1]} => ${match[2]} ${match[3]}` : undefined;
}

interface JaegerModule {
  readonly goMod: string;
  readonly goSum: string;
}

/** Downloads the Jaeger module (go.mod and source, for its go.sum) from the module proxy. */
async function jaegerModule(): Promise<JaegerModule> {
  const output = await runOrThrow('go', [
    'mod',
    'download',
    '-json',
    `github.com/jaegertracing/jaeger@v${versions.jaegerModule}`,
  ]);
  const info = JSON.parse(output) as { GoMod?: string; Dir?: string; Error?: string };
  if (!info.GoMod || !info.Dir)
    throw new Error(info.Error ?? 'the module proxy returned no module');
  return {
    goMod: await readFile(info.GoMod, 'utf8'),
    goSum: await readFile(`${info.Dir}/go.sum`, 'utf8'),
  };
}

/**
 * Jaeger v2 all-in-one (an OpenTelemetry Collector distribution). Its go.mod replaces
 * Shopify/sarama, which `go install` refuses, so a wrapper module repeats its replaces. The
 * wrapper also starts from Jaeger's own go.sum: the checksum database does not answer for
 * some of its (test-only) dependencies, and those sums are the ones Jaeger was released with.
 */
export async function jaegerBuild(): Promise<GoBuild> {
  const module = versions.jaegerModule;
  let jaeger: JaegerModule;
  try {
    jaeger = await jaegerModule();
  } catch (cause) {
    throw new StepError(
      'jaeger',
      `could not fetch github.com/jaegertracing/jaeger v${module} from the Go module proxy`,
      'check that `go env GOPROXY` reaches the module proxy, then run `npx flashsale stack install` again',
      { cause },
    );
  }
  const replaces = versionReplaces(jaeger.goMod);
  const pkg = 'github.com/jaegertracing/jaeger/cmd/jaeger';
  return {
    name: 'jaeger',
    binaries: ['jaeger'],
    packages: [pkg],
    version: `v${versions.jaeger}`,
    goMod: [
      'module flashsale.local/jaeger-build',
      '',
      'go 1.26',
      '',
      `require github.com/jaegertracing/jaeger v${module}`,
      '',
      ...(replaces.length ? ['replace (', ...replaces.map((line) => `\t${line}`), ')', ''] : []),
    ].join('\n'),
    files: {
      'go.sum': jaeger.goSum,
      'tools.go': `//go:build tools\n\npackage tools\n\nimport _ "${pkg}"\n`,
    },
    // As Jaeger's release build stamps the v2 binary (scripts/makefiles/BuildInfo.mk).
    ldflags: [
      `-X github.com/jaegertracing/jaeger/internal/version.latestVersion=v${versions.jaeger}`,
    ],
  };
}
