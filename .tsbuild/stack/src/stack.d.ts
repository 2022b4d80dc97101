import type { Component } from './components/component.ts';
/** Every server of the local stack, in start order (a component follows what it depends on). */
export declare const components: readonly Component[];
export interface ComponentStatus {
    readonly name: string;
    readonly pid: number | undefined;
    readonly ready: boolean;
    readonly port: number;
}
export declare function stackEndpoints(): Record<string, string>;
/**
 * Starts whatever of the stack is not running (independent components in parallel), waits
 * until each answers, then writes the endpoints file. Running it again is harmless; after a
 * crash it restarts only what crashed.
 */
export declare function up(): Promise<Record<string, string>>;
/** Stops every component this stack started, dependants first. */
export declare function down(): Promise<string[]>;
export declare function status(): Promise<ComponentStatus[]>;
