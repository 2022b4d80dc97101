/**
 * Pinned versions of every component the stack installs. Changing a version here makes
 * `stack install` rebuild that component (its cache stamp no longer matches).
 */
export declare const versions: {
    readonly kafka: "4.3.1";
    /** The Kubernetes release kube-apiserver and kubectl are built from. */
    readonly kubernetes: "1.36.3";
    /** etcd 3.6, the line the Kubernetes release above is tested with. */
    readonly etcd: "3.6.16";
    readonly k6: "1.8.1";
    readonly helm: "3.22.0";
    /** Logging backend for the Kafka broker (Kafka 4 logs through SLF4J 2 and Log4j 2). */
    readonly log4j: "2.24.3";
    readonly slf4j: "2.0.17";
};
/** Debian packages the stack needs, with what each one is for. */
export declare const debianPackages: Record<string, string>;
