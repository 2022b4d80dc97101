/** Quotes a value for a POSIX shell (single quotes, with embedded quotes escaped). */
export declare function shellQuote(value: string): string;
export declare function formatEnv(vars: Record<string, string>): string;
/** Reads back what `formatEnv` wrote (and only that shape). */
export declare function parseEnv(text: string): Record<string, string>;
export declare function writeEnvFile(vars: Record<string, string>, path?: string): Promise<void>;
/** The endpoints of the running stack, as `stack up` last wrote them. */
export declare function readEnvFile(path?: string): Promise<Record<string, string>>;
