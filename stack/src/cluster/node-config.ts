import { statePath } from '../paths.ts';
import { loopback, port } from '../ports.ts';
import { nodeNetwork } from '../node-network.ts';

/** Everything the node writes lives under one directory of the state directory. */
export const nodeDir = (...parts: string[]): string => statePath('node', ...parts);

export const nodePaths = {
  containerdRoot: () => nodeDir('containerd', 'root'),
  containerdState: () => nodeDir('containerd', 'state'),
  containerdSocket: () => nodeDir('containerd', 'containerd.sock'),
  containerdConfig: () => nodeDir('containerd.toml'),
  cniConfDir: () => nodeDir('cni', 'net.d'),
  cniIpamDir: () => nodeDir('cni', 'ipam'),
  kubeletRoot: () => nodeDir('kubelet'),
  kubeletConfig: () => nodeDir('kubelet.yaml'),
  podLogs: () => nodeDir('pod-logs'),
  resolvConf: () => nodeDir('resolv.conf'),
  kubeProxyConfig: () => nodeDir('kube-proxy.yaml'),
  corefile: () => nodeDir('Corefile'),
  kubeconfig: (component: string) => nodeDir(`${component}.kubeconfig`),
  certDir: (component: string) => nodeDir('certs', component),
} as const;

/** The sandbox image name the runtime is told to use (built here, never pulled). */
export const pauseImage = 'flashsale.local/pause:1';

/** The CRI runtime plugin's settings: runc with the cgroupfs driver, as the kubelet uses. */
export function containerdConfig(runcPath: string): string {
  const cri = "plugins.'io.containerd.cri.v1";
  return `version = 3
root = ${JSON.stringify(nodePaths.containerdRoot())}
state = ${JSON.stringify(nodePaths.containerdState())}

[grpc]
  address = ${JSON.stringify(nodePaths.containerdSocket())}

[ttrpc]
  address = ${JSON.stringify(`${nodePaths.containerdSocket()}.ttrpc`)}

[metrics]
  address = ""

[${cri}.images']
  snapshotter = "overlayfs"
  [${cri}.images'.pinned_images]
    sandbox = ${JSON.stringify(pauseImage)}

[${cri}.runtime']
  enable_selinux = false
  # No CAP_SYS_RESOURCE here (a sandboxed machine): never ask for a lower OOM score than ours.
  restrict_oom_score_adj = true
  # Network namespaces under the node's state directory, so \`down\` finds every one.
  netns_mounts_under_state_dir = true
  [${cri}.runtime'.containerd]
    default_runtime_name = "runc"
    [${cri}.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.runtime'.containerd.runtimes.runc.options]
        BinaryName = ${JSON.stringify(runcPath)}
        SystemdCgroup = false
  [${cri}.runtime'.cni]
    bin_dirs = ["/usr/lib/cni"]
    conf_dir = ${JSON.stringify(nodePaths.cniConfDir())}

[plugins.'io.containerd.grpc.v1.cri']
  disable_tcp_service = true
  stream_server_address = "${loopback}"
  stream_server_port = "0"
`;
}

/**
 * One bridge network on the cluster's own bridge: no IP masquerade, so pods reach only the
 * node and each other (the FORWARD guard of network.ts drops anything leaving the bridge).
 */
export function cniConfig(): string {
  const config = {
    cniVersion: '1.0.0',
    name: 'flashsale',
    plugins: [
      {
        type: 'bridge',
        bridge: nodeNetwork.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: nodeNetwork.podCidr, gateway: nodeNetwork.nodeIp }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: nodePaths.cniIpamDir(),
        },
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The kubelet on this cgroup v1 host: `failCgroupV1: false` (Kubernetes 1.35+ refuses v1
 * otherwise), the cgroupfs driver like the runtime, no image garbage collection (the images
 * are imported, not pullable), loose eviction thresholds for a shared development machine.
 */
export function kubeletConfig(clientCaFile: string): string {
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${nodePaths.containerdSocket()}`,
    address: nodeNetwork.nodeIp,
    port: port('kubelet'),
    readOnlyPort: 0,
    healthzBindAddress: loopback,
    healthzPort: port('kubeletHealthz'),
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: clientCaFile },
    },
    authorization: { mode: 'Webhook' },
    clusterDomain: nodeNetwork.clusterDomain,
    clusterDNS: [nodeNetwork.dnsServiceIp],
    resolvConf: nodePaths.resolvConf(),
    podLogsDir: nodePaths.podLogs(),
    failSwapOn: false,
    rotateCertificates: false,
    serializeImagePulls: false,
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'nodefs.inodesFree': '1%',
      'imagefs.available': '1%',
    },
    maxPods: 60,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * kube-proxy in iptables mode. NodePorts answer on the node address only; conntrack sysctls
 * are left as they are (zero means "do not change").
 */
export function kubeProxyConfig(kubeconfig: string): string {
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig },
    hostnameOverride: nodeNetwork.nodeName,
    mode: 'iptables',
    clusterCIDR: nodeNetwork.podCidr,
    nodePortAddresses: [`${nodeNetwork.nodeIp}/32`],
    healthzBindAddress: `${loopback}:${port('kubeProxyHealthz')}`,
    metricsBindAddress: `${loopback}:${port('kubeProxyMetrics')}`,
    iptables: { localhostNodePorts: false, masqueradeAll: false },
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * CoreDNS answers for the cluster domain only, on the node address; no `forward` plugin is
 * built in, so no query ever leaves this machine.
 */
export function corefile(kubeconfig: string): string {
  return `.:53 {
    bind ${nodeNetwork.nodeIp}
    ready ${loopback}:${port('corednsReady')}
    health ${loopback}:${port('corednsHealth')}
    errors
    kubernetes ${nodeNetwork.clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 30
}
`;
}

export const kubeletKubeconfigUser = `system:node:${nodeNetwork.nodeName}`;
export const corednsUser = 'flashsale:coredns';

/** The client identity (certificate subject) each node component signs in with. */
export const componentSubjects: Record<string, string> = {
  kubelet: `/O=system:nodes/CN=${kubeletKubeconfigUser}`,
  'kube-controller-manager': '/CN=system:kube-controller-manager',
  'kube-scheduler': '/CN=system:kube-scheduler',
  'kube-proxy': '/CN=system:kube-proxy',
  coredns: `/CN=${corednsUser}`,
};

export const certificateFor = (component: string): string => `node-${component}`;
