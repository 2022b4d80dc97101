import { access, mkdir, writeFile } from 'node:fs/promises';
import { httpOk, portInUse } from '../components/component.ts';
import { kubeApiserverUrl } from '../components/kube-apiserver.ts';
import { ensureSignedCertificate, pkiFile, writeKubeconfig } from '../components/pki.ts';
import { run, tail } from '../exec.ts';
import { toolBin, toolBinDir } from '../paths.ts';
import { loopback, port } from '../ports.ts';
import { nodeNetwork } from '../node-network.ts';
import { StepError, log } from '../progress.ts';
import { launch, logFile, runningPid, stop, type LaunchSpec } from '../supervisor.ts';
import {
  certificateFor,
  cniConfig,
  componentSubjects,
  containerdConfig,
  corefile,
  kubeProxyConfig,
  kubeletConfig,
  nodeDir,
  nodePaths,
} from './node-config.ts';
import { pollUntil, stopwatch } from '@flashsale/runtime';

/** One process of the node, started by the stack's supervisor like the stack's servers. */
export interface NodeComponent {
  readonly name: string;
  readonly prepare: () => Promise<void>;
  readonly launchSpec: () => LaunchSpec;
  readonly isReady: () => Promise<boolean>;
  readonly readyTimeoutMs: number;
}

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** The client certificate and kubeconfig one component signs in with. */
async function identity(component: string): Promise<string> {
  const subject = componentSubjects[component];
  if (!subject) throw new Error(`no client identity for ${component}`);
  const name = certificateFor(component);
  await ensureSignedCertificate(name, subject, ['extendedKeyUsage=clientAuth']);
  const kubeconfig = nodePaths.kubeconfig(component);
  await writeKubeconfig(kubeconfig, kubeApiserverUrl(), name);
  return kubeconfig;
}

/** `ctr` against the node's containerd (image import, and clean-up when the kubelet is gone). */
export async function ctr(args: readonly string[]): Promise<string> {
  const result = await run(toolBin('ctr'), [
    '--address',
    nodePaths.containerdSocket(),
    '--namespace',
    'k8s.io',
    ...args,
  ]);
  if (result.code !== 0) throw new Error(`ctr ${args.join(' ')} failed: ${result.output.trim()}`);
  return result.output;
}

const pathWithTools = (): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${toolBinDir()}:/usr/sbin:/usr/bin:/sbin:/bin`,
});

/** Pods reach the loopback-only kube-apiserver at the node address through this relay. */
const apiserverRelay: NodeComponent = {
  name: 'apiserver-relay',
  prepare: () => Promise.resolve(),
  launchSpec: () => ({
    name: 'apiserver-relay',
    cmd: 'socat',
    args: [
      `TCP-LISTEN:${port('kubeApiserver')},bind=${nodeNetwork.nodeIp},fork,reuseaddr`,
      `TCP:${loopback}:${port('kubeApiserver')}`,
    ],
    identity: `bind=${nodeNetwork.nodeIp}`,
  }),
  isReady: () => portInUse(port('kubeApiserver'), nodeNetwork.nodeIp),
  readyTimeoutMs: 10_000,
};

const containerd: NodeComponent = {
  name: 'containerd',
  prepare: async () => {
    await mkdir(nodePaths.cniConfDir(), { recursive: true });
    await mkdir(nodePaths.cniIpamDir(), { recursive: true });
    await writeFile(nodePaths.containerdConfig(), containerdConfig('/usr/sbin/runc'));
    await writeFile(`${nodePaths.cniConfDir()}/10-flashsale.conflist`, cniConfig());
  },
  launchSpec: () => ({
    name: 'containerd',
    cmd: toolBin('containerd'),
    args: ['--config', nodePaths.containerdConfig()],
    env: pathWithTools(),
  }),
  isReady: async () =>
    (await exists(nodePaths.containerdSocket())) &&
    ctr(['version']).then(
      () => true,
      () => false,
    ),
  readyTimeoutMs: 30_000,
};

const controlPlaneFlags = (component: string, kubeconfig: string, securePort: number): string[] => [
  `--kubeconfig=${kubeconfig}`,
  `--authentication-kubeconfig=${kubeconfig}`,
  `--authorization-kubeconfig=${kubeconfig}`,
  `--bind-address=${loopback}`,
  `--secure-port=${securePort}`,
  `--cert-dir=${nodePaths.certDir(component)}`,
  '--leader-elect=false',
  '--v=1',
];

function controlPlaneComponent(
  name: string,
  extraArgs: readonly string[],
  portValue: () => number,
): NodeComponent {
  return {
    name,
    prepare: async () => {
      await mkdir(nodePaths.certDir(name), { recursive: true });
      await identity(name);
    },
    launchSpec: () => ({
      name,
      cmd: toolBin(name),
      args: [...controlPlaneFlags(name, nodePaths.kubeconfig(name), portValue()), ...extraArgs],
    }),
    isReady: () => portInUse(portValue()),
    readyTimeoutMs: 60_000,
  };
}

const controllerManager = controlPlaneComponent(
  'kube-controller-manager',
  [
    `--service-account-private-key-file=${pkiFile('sa.key')}`,
    `--root-ca-file=${pkiFile('ca.crt')}`,
    '--use-service-account-credentials=true',
    `--service-cluster-ip-range=${nodeNetwork.serviceCidr}`,
    '--allocate-node-cidrs=false',
    // The node is this machine: evict nothing because a heartbeat came late under load.
    '--node-monitor-grace-period=120s',
    '--horizontal-pod-autoscaler-sync-period=5s',
  ],
  () => port('kubeControllerManager'),
);

const scheduler = controlPlaneComponent('kube-scheduler', [], () => port('kubeScheduler'));

const kubelet: NodeComponent = {
  name: 'kubelet',
  prepare: async () => {
    await identity('kubelet');
    await mkdir(nodePaths.kubeletRoot(), { recursive: true });
    await mkdir(nodePaths.podLogs(), { recursive: true });
    // Pods resolve through the cluster DNS only: no nameserver of this machine is inherited.
    await writeFile(nodePaths.resolvConf(), '');
    await writeFile(nodePaths.kubeletConfig(), kubeletConfig(pkiFile('ca.crt')));
  },
  launchSpec: () => ({
    name: 'kubelet',
    cmd: toolBin('kubelet'),
    args: [
      `--config=${nodePaths.kubeletConfig()}`,
      `--kubeconfig=${nodePaths.kubeconfig('kubelet')}`,
      `--root-dir=${nodePaths.kubeletRoot()}`,
      `--cert-dir=${nodePaths.certDir('kubelet')}`,
      `--node-ip=${nodeNetwork.nodeIp}`,
      `--hostname-override=${nodeNetwork.nodeName}`,
      '--v=1',
    ],
    env: pathWithTools(),
  }),
  isReady: () => httpOk(`http://${loopback}:${port('kubeletHealthz')}/healthz`),
  readyTimeoutMs: 60_000,
};

const kubeProxy: NodeComponent = {
  name: 'kube-proxy',
  prepare: async () => {
    const kubeconfig = await identity('kube-proxy');
    await writeFile(nodePaths.kubeProxyConfig(), kubeProxyConfig(kubeconfig));
  },
  launchSpec: () => ({
    name: 'kube-proxy',
    cmd: toolBin('kube-proxy'),
    args: [`--config=${nodePaths.kubeProxyConfig()}`, '--v=1'],
    env: pathWithTools(),
  }),
  isReady: () => httpOk(`http://${loopback}:${port('kubeProxyHealthz')}/healthz`),
  readyTimeoutMs: 60_000,
};

const coredns: NodeComponent = {
  name: 'coredns',
  prepare: async () => {
    const kubeconfig = await identity('coredns');
    await writeFile(nodePaths.corefile(), corefile(kubeconfig));
  },
  launchSpec: () => ({
    name: 'coredns',
    cmd: toolBin('coredns'),
    args: ['-conf', nodePaths.corefile()],
  }),
  isReady: () => httpOk(`http://${loopback}:${port('corednsReady')}/ready`),
  readyTimeoutMs: 60_000,
};

/** The node's processes in start order; `down` stops them in reverse. */
export const nodeComponents: readonly NodeComponent[] = [
  apiserverRelay,
  containerd,
  controllerManager,
  scheduler,
  kubelet,
  kubeProxy,
  coredns,
];

async function waitReady(component: NodeComponent, pid: number): Promise<void> {
  const seen = await pollUntil(
    async () => {
      if (await component.isReady()) return 'ready';
      return (await runningPid(component.name)) === pid ? undefined : 'exited';
    },
    { timeoutMs: component.readyTimeoutMs, intervalMs: 250 },
  );
  if (seen === 'ready') return;
  const running = (await runningPid(component.name)) === pid;
  throw new StepError(
    component.name,
    `${running ? `not ready after ${component.readyTimeoutMs / 1000}s` : 'exited during start-up'}; last lines of ${logFile(component.name)}:\n${await tail(logFile(component.name), 15)}`,
    'fix the cause above, then run `npx flashsale cluster up` again (`cluster down` cleans up)',
  );
}

/** Starts one node component unless it runs and answers already. */
export async function ensureNodeComponent(component: NodeComponent): Promise<void> {
  const watch = stopwatch();
  const pid = await runningPid(component.name);
  if (pid !== undefined && (await component.isReady())) {
    log(`    ${component.name}: already running`);
    return;
  }
  if (pid !== undefined) await stop(component.name);
  await mkdir(nodeDir(), { recursive: true });
  await component.prepare();
  const started = await launch(component.launchSpec());
  await waitReady(component, started);
  log(`    ${component.name}: started in ${watch.seconds()}s`);
}

/** Every node component that still runs, by name. */
export async function runningNodeComponents(): Promise<string[]> {
  const names: string[] = [];
  for (const component of nodeComponents)
    if ((await runningPid(component.name)) !== undefined) names.push(component.name);
  return names;
}
