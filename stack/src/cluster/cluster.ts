import { readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { portInUse } from '../components/component.ts';
import { readEnvFile, writeEnvFile } from '../env-file.ts';
import { run } from '../exec.ts';
import { envFilePath, projectRoot, toolBin } from '../paths.ts';
import { port } from '../ports.ts';
import { nodeAddress, nodeNetwork } from '../node-network.ts';
import { StepError, log, step } from '../progress.ts';
import { down as stackDown, status as stackStatus, up as stackUp } from '../stack.ts';
import { runningPid, stop } from '../supervisor.ts';
import { curlImage, ensureImages, imageSize, type ClusterImages } from './images.ts';
import { dnsManifests, stackServiceManifests } from './in-cluster.ts';
import { applyManifests, helm, kubectl, kubectlCode } from './kube.ts';
import { networkDown, networkUp, ownRulesLeft, bridgeExists } from './network.ts';
import { nodeDir, nodePaths } from './node-config.ts';
import { ensureNodeComponent, nodeComponents, runningNodeComponents } from './node-components.ts';
import { pollUntilTrue, stopwatch } from '@flashsale/runtime';

export const releaseName = 'flash-sale';
export const releaseNamespace = 'flashsale';
export const clusterApiUrl = (): string => `http://${nodeNetwork.nodeIp}:${port('apiNodePort')}`;
export const clusterWebUrl = (): string => `http://${nodeNetwork.nodeIp}:${port('webNodePort')}`;

const component = (name: string): (typeof nodeComponents)[number] => {
  const found = nodeComponents.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`unknown node component ${name}`);
  return found;
};

/** Whether the running stack was started with its listeners on the node address. */
async function stackServesNode(): Promise<boolean> {
  const ip = nodeNetwork.nodeIp;
  const listening = await Promise.all([
    portInUse(port('redis'), ip),
    portInUse(port('postgres'), ip),
    portInUse(port('kafkaNode'), ip),
  ]);
  const apiserver = await runningPid('kube-apiserver');
  const cmdline = apiserver
    ? await readFile(`/proc/${apiserver}/cmdline`, 'utf8').catch(() => '')
    : '';
  return listening.every(Boolean) && cmdline.includes(`--advertise-address=${ip}`);
}

/** The stack, with listeners on the node address: restarted once if it ran without them. */
async function stackForCluster(): Promise<void> {
  const running = (await stackStatus()).some((row) => row.pid !== undefined);
  if (running && !(await stackServesNode())) {
    log('    the stack runs without the node address: restarting it (data is kept)');
    await stackDown();
  }
  await stackUp();
}

async function nodeReady(): Promise<boolean> {
  const result = await kubectlCode([
    'get',
    'node',
    nodeNetwork.nodeName,
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
  ]);
  return result.code === 0 && result.output.trim() === 'True';
}

async function waitNodeReady(timeoutMs = 120_000): Promise<void> {
  if (await pollUntilTrue(nodeReady, { timeoutMs, intervalMs: 1000 })) return;
  const describe = await kubectlCode(['describe', 'node', nodeNetwork.nodeName]);
  throw new StepError(
    'kubelet',
    `node ${nodeNetwork.nodeName} not Ready after ${timeoutMs / 1000}s:\n${describe.output.slice(-2000)}`,
    `read ${join('.flashsale', 'logs', 'kubelet.log')}; \`npx flashsale cluster down\` then \`up\` starts afresh`,
  );
}

/** The chart's values on this node: local images, the stack's servers, NodePorts. */
export function clusterValues(images: ClusterImages): object {
  const image = (target: keyof ClusterImages['names']): object => ({
    repository: `flashsale.local/${target}`,
    tag: images.tag,
    pullPolicy: 'Never',
  });
  const [curlRepository, curlTag] = curlImage.split(':');
  return {
    auth: { devLogin: true },
    postgresql: { url: 'postgres://postgres@postgresql:5432/flashsale' },
    api: {
      image: image('api'),
      corsOrigin: clusterWebUrl(),
      service: { type: 'NodePort', nodePort: port('apiNodePort') },
    },
    relay: { image: image('relay') },
    persister: { image: image('persister') },
    operator: { image: image('operator') },
    web: {
      image: image('web'),
      replicas: 1,
      apiUrl: clusterApiUrl(),
      service: { type: 'NodePort', nodePort: port('webNodePort') },
    },
    tests: { image: { repository: curlRepository, tag: curlTag, pullPolicy: 'Never' } },
  };
}

async function installRelease(images: ClusterImages): Promise<void> {
  const values = nodeDir('values.json');
  await writeFile(values, JSON.stringify(clusterValues(images), null, 2));
  await helm(
    [
      'upgrade',
      '--install',
      releaseName,
      join(projectRoot, 'charts', 'flash-sale'),
      '--namespace',
      releaseNamespace,
      '--values',
      values,
      '--wait',
      '--timeout',
      '6m',
    ],
    nodeDir('helm.log'),
  );
}

async function writeClusterEnv(): Promise<void> {
  const current = await readEnvFile().catch(() => ({}));
  await writeEnvFile({
    ...current,
    FLASHSALE_CLUSTER_API_URL: clusterApiUrl(),
    FLASHSALE_CLUSTER_WEB_URL: clusterWebUrl(),
  });
}

/**
 * `cluster up`: the node network, the stack (listening on the node address too), the node's
 * processes, the images, then the chart. Every step is idempotent: a second run reuses what
 * runs and what was built.
 */
export async function clusterUp(): Promise<{ apiUrl: string; webUrl: string }> {
  const watch = stopwatch();
  await step('node network (bridge, route, forward guard)', networkUp);
  await step('stack (with listeners on the node address)', stackForCluster);
  await step('containerd + apiserver relay', async () => {
    await ensureNodeComponent(component('apiserver-relay'));
    await ensureNodeComponent(component('containerd'));
  });
  const images = await step('images (buildah; cached by content)', ensureImages);
  await step(
    'control plane + node (controller-manager, scheduler, kubelet, kube-proxy)',
    async () => {
      for (const name of ['kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'])
        await ensureNodeComponent(component(name));
      await waitNodeReady();
    },
  );
  await step("CoreDNS and the stack's Services", async () => {
    await applyManifests('dns', dnsManifests());
    await ensureNodeComponent(component('coredns'));
    await applyManifests('stack-services', stackServiceManifests(releaseNamespace));
  });
  await step(`helm upgrade --install ${releaseName} (waits for every pod)`, () =>
    installRelease(images),
  );
  await writeClusterEnv();
  log(`cluster up: ready in ${watch.seconds()}s`);
  return { apiUrl: clusterApiUrl(), webUrl: clusterWebUrl() };
}

async function crictl(args: readonly string[]): Promise<string> {
  const result = await run(toolBin('crictl'), [
    '--runtime-endpoint',
    `unix://${nodePaths.containerdSocket()}`,
    '--timeout',
    '20s',
    ...args,
  ]);
  return result.code === 0 ? result.output : '';
}

/** Ids of the pod sandboxes still running (crictl's warnings, on the same output, left out). */
async function runningSandboxes(): Promise<string[]> {
  const output = await crictl(['pods', '-q', '--state', 'ready']);
  return output.split('\n').filter((line) => /^[0-9a-f]{12,64}$/.test(line.trim()));
}

/** Pods are stopped by the kubelet itself (graceful), then anything left through the CRI. */
async function removePods(): Promise<void> {
  if ((await runningPid('kubelet')) !== undefined && (await nodeReady().catch(() => false))) {
    await kubectlCode([
      'delete',
      'pods',
      '--all',
      '--all-namespaces',
      '--grace-period=3',
      '--wait=false',
    ]);
    const allGone = async (): Promise<boolean> => (await runningSandboxes()).length === 0;
    await pollUntilTrue(allGone, { timeoutMs: 60_000, intervalMs: 1000 });
  }
  for (const name of ['coredns', 'kube-proxy', 'kubelet']) await stop(name);
  if ((await runningPid('containerd')) !== undefined) {
    await crictl(['rmp', '--all', '--force']);
  }
}

/** Shims of our containerd (their command line names our socket) that outlived it. */
async function killOrphanShims(): Promise<void> {
  const socket = nodePaths.containerdSocket();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('containerd-shim') && cmdline.includes(socket))
      process.kill(Number(entry), 'SIGKILL');
  }
}

/** Mount points under the node's directory (kubelet volumes, rootfs, netns), deepest first. */
export async function nodeMounts(): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const root = nodeDir();
  return info
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint === root || mountPoint.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
}

async function unmountAll(): Promise<void> {
  for (const mountPoint of await nodeMounts()) await run('umount', ['-l', mountPoint]);
}

/** The kubelet's cgroups (kubepods) in every hierarchy, removed once empty. */
async function removeCgroups(): Promise<void> {
  const hierarchies = await readdir('/sys/fs/cgroup').catch(() => []);
  for (const hierarchy of hierarchies) {
    const top = join('/sys/fs/cgroup', hierarchy, 'kubepods');
    const dirs = await readdir(top, { recursive: true, withFileTypes: true }).catch(() => []);
    const nested = dirs
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort((a, b) => b.length - a.length);
    for (const dir of [...nested, top]) await rmdir(dir).catch(() => undefined);
  }
}

/**
 * `cluster down`: every pod, the node's processes, their mounts, the bridge and the iptables
 * rules, then the stack. Safe to run at any time (also after a crash, or twice).
 */
export async function clusterDown(): Promise<void> {
  await step('pods and node processes', async () => {
    for (const name of ['kube-controller-manager', 'kube-scheduler']) await stop(name);
    await removePods();
    for (const name of ['containerd', 'apiserver-relay']) await stop(name);
    await killOrphanShims();
  });
  await step('mounts, cgroups, network', async () => {
    await unmountAll();
    await removeCgroups();
    await networkDown();
  });
  await step('stack', async () => {
    await stackDown();
  });
  const env = await readEnvFile().catch(() => undefined);
  if (env) {
    delete env.FLASHSALE_CLUSTER_API_URL;
    delete env.FLASHSALE_CLUSTER_WEB_URL;
    await writeEnvFile(env);
  }
}

export interface ClusterStatus {
  readonly running: string[];
  readonly nodeReady: boolean;
  readonly bridge: boolean;
  readonly nodeAddress: string | undefined;
  readonly mounts: number;
  readonly iptablesRules: number;
  readonly apiUrl: string;
  readonly webUrl: string;
  readonly envFile: string;
}

export async function clusterStatus(): Promise<ClusterStatus> {
  const running = await runningNodeComponents();
  return {
    running,
    nodeReady: running.includes('kubelet') && (await nodeReady().catch(() => false)),
    bridge: await bridgeExists(),
    nodeAddress: nodeAddress(),
    mounts: (await nodeMounts()).length,
    iptablesRules: (await ownRulesLeft()).length,
    apiUrl: clusterApiUrl(),
    webUrl: clusterWebUrl(),
    envFile: envFilePath(),
  };
}

export { imageSize, kubectl };
