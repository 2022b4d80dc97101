import { type Component } from './component.ts';
export declare const prometheusUrl: () => string;
/** file_sd directory: one JSON file per platform process, picked up within seconds. */
export declare const scrapeTargetsDir: () => string;
export declare function prometheusConfig(targetsDir: string, selfAddress: string): string;
/**
 * Registers a process of the platform (or a test) for scraping. Prometheus watches the
 * directory, so the target appears at its next scrape without a reload.
 */
export declare function registerScrapeTarget(name: string, address: string, labels?: Record<string, string>): Promise<void>;
export declare function unregisterScrapeTarget(name: string): Promise<void>;
export declare const prometheus: Component;
