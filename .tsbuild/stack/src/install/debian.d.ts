/** The packages of `wanted` that dpkg does not report as installed. */
export declare function missingDebianPackages(wanted: readonly string[]): Promise<string[]>;
/** Installs the Debian packages the stack needs; returns what it installed. */
export declare function installDebianPackages(): Promise<string>;
