/** The repository root: stack/src/ lives two levels below it. */
export declare const projectRoot: string;
/**
 * Everything the running stack writes (data, logs, pid files, certificates, the env file)
 * lives under one project-local directory, so `rm -rf .flashsale` is a full reset.
 */
export declare function stateDir(): string;
/**
 * Built tools and downloaded jars are shared by every checkout of the project on this
 * machine, under the user's cache directory (XDG), so a fresh clone reuses them.
 */
export declare function cacheDir(): string;
export declare const statePath: (...parts: string[]) => string;
export declare const cachePath: (...parts: string[]) => string;
/** Where the tools this project builds itself are installed. */
export declare const toolBinDir: () => string;
export declare const toolBin: (name: string) => string;
/** The file `stack up` writes the endpoints to, as shell `export` lines. */
export declare const envFilePath: () => string;
export declare const kubeconfigPath: () => string;
