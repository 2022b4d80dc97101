/**
 * Starts stack components as detached background processes, each the leader of its own
 * process group, with a pid file and a log file under the state directory. A component
 * counts as ours only when its pid file names a live process whose command line still
 * contains the executable we started (a recycled pid is not ours).
 */
export interface LaunchSpec {
    readonly name: string;
    readonly cmd: string;
    readonly args: readonly string[];
    readonly env?: NodeJS.ProcessEnv;
    readonly cwd?: string;
    readonly uid?: number;
    readonly gid?: number;
}
export declare const logFile: (name: string) => string;
/** The pid of the running component, or undefined when it does not run. */
export declare function runningPid(name: string): Promise<number | undefined>;
export declare function launch(spec: LaunchSpec): Promise<number>;
/**
 * Members of a process group that are still running. Zombies do not count: an orphan whose
 * parent never reaps it (a container without an init) must not make `stop` wait forever.
 */
export declare function liveGroupMembers(pgid: number): Promise<number[]>;
/** SIGTERM to the component's process group, then SIGKILL after `graceMs`. */
export declare function stop(name: string, graceMs?: number): Promise<boolean>;
