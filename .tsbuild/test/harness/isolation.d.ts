/**
 * Names that keep one test's data apart from every other test's (and from a developer's
 * own data in the same stack): a Redis key prefix, a Kafka topic, a database and a
 * Kubernetes namespace, all derived from one short random id.
 */
export interface IsolatedNames {
    readonly id: string;
    readonly redisPrefix: string;
    readonly kafkaTopic: string;
    readonly database: string;
    readonly namespace: string;
}
export declare function isolatedNames(label: string): IsolatedNames;
/** Polls until `probe` returns a value that is not undefined, or fails with `what`. */
export declare function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
