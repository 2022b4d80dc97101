/** Creates an empty database for one test and returns its URL (same server as `baseUrl`). */
export declare function createTestDatabase(baseUrl: string, name: string): Promise<string>;
export declare function dropTestDatabase(baseUrl: string, name: string): Promise<void>;
