/**
 * Loopback ports of the local stack. Each is the component's usual port moved into a
 * range that does not collide with a system-wide install of the same server, and each
 * can be overridden by the environment variable named beside it.
 */
export interface PortSpec {
    readonly envVar: string;
    readonly fallback: number;
}
export declare const portSpecs: {
    readonly redis: {
        readonly envVar: "FLASHSALE_REDIS_PORT";
        readonly fallback: 16379;
    };
    readonly postgres: {
        readonly envVar: "FLASHSALE_POSTGRES_PORT";
        readonly fallback: 15432;
    };
    readonly kafka: {
        readonly envVar: "FLASHSALE_KAFKA_PORT";
        readonly fallback: 19092;
    };
    readonly kafkaController: {
        readonly envVar: "FLASHSALE_KAFKA_CONTROLLER_PORT";
        readonly fallback: 19093;
    };
    readonly etcd: {
        readonly envVar: "FLASHSALE_ETCD_PORT";
        readonly fallback: 12379;
    };
    readonly etcdPeer: {
        readonly envVar: "FLASHSALE_ETCD_PEER_PORT";
        readonly fallback: 12380;
    };
    readonly kubeApiserver: {
        readonly envVar: "FLASHSALE_KUBE_APISERVER_PORT";
        readonly fallback: 16443;
    };
    readonly prometheus: {
        readonly envVar: "FLASHSALE_PROMETHEUS_PORT";
        readonly fallback: 19090;
    };
};
export type PortName = keyof typeof portSpecs;
export declare function parsePort(envVar: string, raw: string | undefined, fallback: number): number;
export declare function port(name: PortName): number;
export declare const loopback = "127.0.0.1";
