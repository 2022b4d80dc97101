/** How to build one or more binaries from the Go module proxy. */
export interface GoBuild {
    /** Name of the step and of its stamp, log and work directory. */
    readonly name: string;
    /** Binaries the build produces, installed into the tool bin directory. */
    readonly binaries: readonly string[];
    /** Package import paths, one per binary, in the same order. */
    readonly packages: readonly string[];
    /**
     * The file names `go build` gives the binaries, when they differ from `binaries` (a main
     * package at the root of a /vN module is named after the element before the suffix).
     */
    readonly builtAs?: readonly string[];
    /** A wrapper module's go.mod; when absent the packages are built with `go install pkg@version`. */
    readonly goMod?: string;
    /** Extra files of the wrapper module (e.g. a tools.go that pins the imports). */
    readonly files?: Readonly<Record<string, string>>;
    readonly version: string;
    readonly ldflags?: readonly string[];
}
/**
 * Builds (or reuses) Go binaries. The build goes to a scratch directory first and is moved
 * into place only when every binary was produced, so an interrupted build is never reused.
 */
export declare function installGoBuild(build: GoBuild): Promise<string>;
