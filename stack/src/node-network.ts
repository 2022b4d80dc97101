import { networkInterfaces } from 'node:os';

/**
 * The addresses of the one-node cluster (`flashsale cluster up`, docs/cluster.md). The
 * bridge and its address are created by the cluster on this machine; pods get addresses
 * from the same /24, Services from the kube-apiserver's service range.
 */
export const nodeNetwork = {
  bridge: 'flashsale0',
  /** The node's address: the bridge's, where pods reach the stack's servers. */
  nodeIp: '10.244.0.1',
  podCidr: '10.244.0.0/24',
  prefixLength: 24,
  serviceCidr: '10.0.0.0/24',
  /** The Service address CoreDNS answers on (kube-dns in kube-system). */
  dnsServiceIp: '10.0.0.10',
  nodeName: 'flashsale-node',
  clusterDomain: 'cluster.local',
} as const;

/**
 * The node address when the cluster's bridge is up on this machine, else undefined. The
 * stack's servers add a listener on it only then, so `stack up` alone stays loopback-only.
 */
export function nodeAddress(): string | undefined {
  const addresses = networkInterfaces()[nodeNetwork.bridge] ?? [];
  return addresses.some((address) => address.address === nodeNetwork.nodeIp)
    ? nodeNetwork.nodeIp
    : undefined;
}
