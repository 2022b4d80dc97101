import { port } from '../ports.ts';
import { nodeNetwork } from '../node-network.ts';
import { corednsUser } from './node-config.ts';

/**
 * A Service without a selector whose one endpoint is the node address: how pods reach a
 * server that runs on this machine (the stack's Redis, Kafka, PostgreSQL; the node's CoreDNS)
 * by a Service name.
 */
export function nodeService(
  name: string,
  namespace: string,
  ports: readonly { name: string; port: number; targetPort: number; protocol?: string }[],
  clusterIP?: string,
): object[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'flashsale-cluster' },
      },
      spec: {
        ...(clusterIP ? { clusterIP } : {}),
        ports: ports.map((entry) => ({
          name: entry.name,
          port: entry.port,
          targetPort: entry.targetPort,
          protocol: entry.protocol ?? 'TCP',
        })),
      },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${name}-node`,
        namespace,
        labels: {
          'kubernetes.io/service-name': name,
          'endpointslice.kubernetes.io/managed-by': 'flashsale-cluster',
        },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [nodeNetwork.nodeIp], conditions: { ready: true } }],
      ports: ports.map((entry) => ({
        name: entry.name,
        port: entry.targetPort,
        protocol: entry.protocol ?? 'TCP',
      })),
    },
  ];
}

/** kube-dns (the kubelet's clusterDNS address) in front of the node's CoreDNS, and its RBAC. */
export function dnsManifests(): object[] {
  return [
    ...nodeService(
      'kube-dns',
      'kube-system',
      [
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 53 },
      ],
      nodeNetwork.dnsServiceIp,
    ),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: corednsUser },
      rules: [
        {
          apiGroups: [''],
          resources: ['services', 'pods', 'namespaces'],
          verbs: ['list', 'watch'],
        },
        {
          apiGroups: ['discovery.k8s.io'],
          resources: ['endpointslices'],
          verbs: ['list', 'watch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: corednsUser },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: corednsUser },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: corednsUser }],
    },
  ];
}

/** The stack's servers under the names the chart uses by default, in the release namespace. */
export function stackServiceManifests(namespace: string): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    ...nodeService('redis', namespace, [{ name: 'redis', port: 6379, targetPort: port('redis') }]),
    ...nodeService('kafka', namespace, [
      { name: 'kafka', port: 9092, targetPort: port('kafkaNode') },
    ]),
    ...nodeService('postgresql', namespace, [
      { name: 'postgresql', port: 5432, targetPort: port('postgres') },
    ]),
  ];
}
