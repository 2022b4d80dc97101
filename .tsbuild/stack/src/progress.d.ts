/**
 * Progress output for long, multi-step commands. Progress goes to stderr so that stdout
 * stays machine-readable (`eval "$(npx flashsale stack up)"`).
 */
/** A failed step: what failed, why, and the command or action that fixes it. */
export declare class StepError extends Error {
    readonly step: string;
    readonly fix: string;
    constructor(step: string, message: string, fix: string, options?: {
        cause?: unknown;
    });
}
export declare function log(line: string): void;
/**
 * Runs one step with a progress line before and after. A step that takes long prints a
 * heartbeat so that a CI log never looks stuck.
 */
export declare function step<T>(label: string, run: () => Promise<T>): Promise<T>;
/** Prints a failure for a person: the step, the reason, and how to fix it. */
export declare function describeFailure(error: unknown): string;
