export interface RunOptions {
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly uid?: number;
    readonly gid?: number;
    /** When set, stdout and stderr are appended to this file instead of being captured. */
    readonly logFile?: string;
}
export interface RunResult {
    readonly code: number;
    readonly output: string;
}
/** Runs a command to completion; never throws for a non-zero exit (see `runOrThrow`). */
export declare function run(cmd: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
/** Runs a command and throws with its output (or the tail of its log file) when it fails. */
export declare function runOrThrow(cmd: string, args: readonly string[], options?: RunOptions): Promise<string>;
export declare function tail(file: string, lines: number): Promise<string>;
/** The first line of a command's output, or undefined when the command is missing or fails. */
export declare function firstLine(cmd: string, args: readonly string[]): Promise<string | undefined>;
