/** Parses "major.minor" out of a version banner; undefined when none is found. */
export declare function parseMajorMinor(banner: string, pattern: RegExp): [number, number] | undefined;
export declare function atLeast(actual: [number, number], wanted: [number, number]): boolean;
/** Checks the toolchains the installer builds with; returns "name version" lines. */
export declare function checkToolchains(): Promise<string[]>;
