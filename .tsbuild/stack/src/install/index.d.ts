/** Installs or builds every component, reusing whatever the cache already holds. */
export declare function installAll(): Promise<void>;
