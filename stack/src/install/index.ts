import { log, step } from '../progress.ts';
import { installDebianPackages } from './debian.ts';
import { installGoBuild } from './go-build.ts';
import { etcdBuild, helmBuild, jaegerBuild, k6Build } from './go-tools.ts';
import { installKafka } from './kafka.ts';
import { kubernetesBuild, kubernetesNodeBuild } from './kubernetes.ts';
import { containerdBuild, corednsBuild, crictlBuild, pauseBuild } from './node-tools.ts';
import { checkToolchains } from './prerequisites.ts';
import { stopwatch } from '@flashsale/runtime';

interface InstallStep {
  readonly label: string;
  readonly run: () => Promise<string>;
}

const installSteps: readonly InstallStep[] = [
  {
    label: 'prerequisites (Go, Java 17+, Maven)',
    run: async () => (await checkToolchains()).join(', '),
  },
  {
    label:
      'Debian packages (redis, postgresql, prometheus, chromium, wrk, runc, CNI plugins, buildah, ...)',
    run: installDebianPackages,
  },
  { label: 'Apache Kafka broker jars (Maven Central)', run: installKafka },
  { label: 'helm (go install)', run: () => installGoBuild(helmBuild) },
  { label: 'k6 (go install)', run: () => installGoBuild(k6Build) },
  { label: 'etcd (wrapper module)', run: () => installGoBuild(etcdBuild) },
  {
    label: 'kube-apiserver + kubectl (wrapper module; the first build takes several minutes)',
    run: async () => installGoBuild(await kubernetesBuild()),
  },
  {
    label: 'jaeger v2 (wrapper module; the first build takes several minutes)',
    run: async () => installGoBuild(await jaegerBuild()),
  },
  {
    label: 'kubelet, kube-controller-manager, kube-scheduler, kube-proxy (same wrapper module)',
    run: async () => installGoBuild(await kubernetesNodeBuild()),
  },
  { label: 'containerd 2 + runc shim (go install)', run: () => installGoBuild(containerdBuild) },
  { label: 'CoreDNS (wrapper module)', run: () => installGoBuild(corednsBuild) },
  { label: 'crictl (go install)', run: () => installGoBuild(crictlBuild) },
  { label: 'pod sandbox (pause) binary', run: () => installGoBuild(pauseBuild) },
];

/** Installs or builds every component, reusing whatever the cache already holds. */
export async function installAll(): Promise<void> {
  const watch = stopwatch();
  for (const [index, { label, run }] of installSteps.entries()) {
    const detail = await step(`[${index + 1}/${installSteps.length}] ${label}`, run);
    log(`    ${detail}`);
  }
  log(`stack install: done in ${watch.seconds()}s`);
}
