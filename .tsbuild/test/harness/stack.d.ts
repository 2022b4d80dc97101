/**
 * The real local stack, started at most once per test run by whichever integration spec
 * needs it first. When the harness started it, it stops it at the end of the run; a stack
 * the developer already had running is left as it was.
 */
export interface StackEnv {
    readonly REDIS_URL: string;
    readonly DATABASE_URL: string;
    readonly KAFKA_BROKERS: string;
    readonly KUBECONFIG: string;
    readonly PROMETHEUS_URL: string;
}
/** Call from `beforeAll` with a generous timeout (the first caller waits for start-up). */
export declare function useStack(): Promise<StackEnv>;
/** Timeout for a `beforeAll` that calls `useStack()`: start-up of a cold stack. */
export declare const stackStartTimeoutMs = 180000;
export declare function releaseStack(): Promise<void>;
