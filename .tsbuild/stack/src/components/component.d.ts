import type { PortName } from '../ports.ts';
import type { LaunchSpec } from '../supervisor.ts';
/** One server of the local stack, as `stack up` starts it. */
export interface Component {
    readonly name: string;
    /** Components that must be ready before this one starts. */
    readonly dependsOn: readonly string[];
    /** The loopback port it listens on (checked for collisions before starting). */
    readonly portName: PortName;
    /** The environment variables that tell clients where it is. */
    readonly endpoints: () => Record<string, string>;
    /** Idempotent first-time set-up of its data directory and configuration. */
    readonly prepare: () => Promise<void>;
    readonly launchSpec: () => Promise<LaunchSpec>;
    readonly isReady: () => Promise<boolean>;
    /** Idempotent set-up that needs the server running (a database, a topic). */
    readonly afterReady?: () => Promise<void>;
    readonly readyTimeoutMs: number;
}
/** Whether anything accepts TCP connections on a loopback port. */
export declare function portInUse(port: number, host?: string): Promise<boolean>;
/** True when a GET answers 2xx within a second; never throws. */
export declare function httpOk(url: string, init?: RequestInit): Promise<boolean>;
