/**
 * Loopback ports of the local stack. Each is the component's usual port moved into a
 * range that does not collide with a system-wide install of the same server, and each
 * can be overridden by the environment variable named beside it.
 */
export interface PortSpec {
  readonly envVar: string;
  readonly fallback: number;
}

export const portSpecs = {
  redis: { envVar: 'FLASHSALE_REDIS_PORT', fallback: 16379 },
  /** The three nodes of the Redis Cluster (base, +1, +2; bus ports 10000 above each). */
  redisCluster: { envVar: 'FLASHSALE_REDIS_CLUSTER_PORT', fallback: 16380 },
  postgres: { envVar: 'FLASHSALE_POSTGRES_PORT', fallback: 15432 },
  kafka: { envVar: 'FLASHSALE_KAFKA_PORT', fallback: 19092 },
  kafkaController: { envVar: 'FLASHSALE_KAFKA_CONTROLLER_PORT', fallback: 19093 },
  etcd: { envVar: 'FLASHSALE_ETCD_PORT', fallback: 12379 },
  etcdPeer: { envVar: 'FLASHSALE_ETCD_PEER_PORT', fallback: 12380 },
  kubeApiserver: { envVar: 'FLASHSALE_KUBE_APISERVER_PORT', fallback: 16443 },
  prometheus: { envVar: 'FLASHSALE_PROMETHEUS_PORT', fallback: 19090 },
  /** Jaeger's query API and UI (16686 upstream). */
  jaeger: { envVar: 'FLASHSALE_JAEGER_PORT', fallback: 16687 },
  /** Jaeger's query gRPC API (16685 upstream); nothing here uses it, but it always listens. */
  jaegerQueryGrpc: { envVar: 'FLASHSALE_JAEGER_QUERY_GRPC_PORT', fallback: 16688 },
  otlpGrpc: { envVar: 'FLASHSALE_OTLP_GRPC_PORT', fallback: 14317 },
  otlpHttp: { envVar: 'FLASHSALE_OTLP_HTTP_PORT', fallback: 14318 },
  /** Kafka's listener on the cluster's node address (only while `cluster up` runs). */
  kafkaNode: { envVar: 'FLASHSALE_KAFKA_NODE_PORT', fallback: 19094 },
  /** The node components of `cluster up` (docs/cluster.md); upstream 10250, 10248, ... */
  kubelet: { envVar: 'FLASHSALE_KUBELET_PORT', fallback: 20250 },
  kubeletHealthz: { envVar: 'FLASHSALE_KUBELET_HEALTHZ_PORT', fallback: 20248 },
  kubeControllerManager: { envVar: 'FLASHSALE_KUBE_CONTROLLER_MANAGER_PORT', fallback: 20257 },
  kubeScheduler: { envVar: 'FLASHSALE_KUBE_SCHEDULER_PORT', fallback: 20259 },
  kubeProxyHealthz: { envVar: 'FLASHSALE_KUBE_PROXY_HEALTHZ_PORT', fallback: 20256 },
  kubeProxyMetrics: { envVar: 'FLASHSALE_KUBE_PROXY_METRICS_PORT', fallback: 20249 },
  corednsHealth: { envVar: 'FLASHSALE_COREDNS_HEALTH_PORT', fallback: 20180 },
  corednsReady: { envVar: 'FLASHSALE_COREDNS_READY_PORT', fallback: 20181 },
  /** NodePorts of the API and the storefront on the node address. */
  apiNodePort: { envVar: 'FLASHSALE_API_NODE_PORT', fallback: 30080 },
  webNodePort: { envVar: 'FLASHSALE_WEB_NODE_PORT', fallback: 30088 },
} as const satisfies Record<string, PortSpec>;

export type PortName = keyof typeof portSpecs;

export function parsePort(envVar: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new Error(`${envVar}=${raw} is not a usable port: give an integer from 1024 to 65535`);
  }
  return port;
}

export function port(name: PortName): number {
  const spec: PortSpec = portSpecs[name];
  return parsePort(spec.envVar, process.env[spec.envVar], spec.fallback);
}

export const loopback = '127.0.0.1';
