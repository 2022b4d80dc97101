import type { Component } from './component.ts';
export declare const databaseName = "flashsale";
/** The newest PostgreSQL server installed by Debian's packages (/usr/lib/postgresql/N/bin). */
export declare function postgresBinDir(): Promise<string>;
export declare const postgres: Component;
