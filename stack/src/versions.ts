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
} as const;

/** Debian packages the stack needs, with what each one is for. */
export const debianPackages: Record<string, string> = {
  'redis-server': 'Redis server',
  'redis-tools': 'redis-cli and redis-benchmark',
  postgresql: 'PostgreSQL server',
  prometheus: 'Prometheus server',
  chromium: 'headless browser for the storefront tests',
  openssl: 'certificates for the local kube-apiserver',
  'ca-certificates': 'TLS roots for the package sources',
};
