/**
 * A stamp records the exact recipe a cached artifact was built from. An artifact is
 * reused only when its stamp matches the current recipe and every file it names exists,
 * so a changed version or build flag rebuilds, and a half-finished build never counts.
 */
export type Recipe = Record<string, string | readonly string[]>;
export declare function isFresh(name: string, recipe: Recipe, files: readonly string[]): Promise<boolean>;
export declare function writeStamp(name: string, recipe: Recipe): Promise<void>;
