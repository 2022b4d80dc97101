import type { Component } from './component.ts';
/** The topic the platform streams confirmed purchases to (see the design's contract). */
export declare const purchasesTopic = "flashsale.purchases";
export declare const kafkaBrokers: () => string;
/** A single KRaft node that is both broker and controller; replication factors of one. */
export declare function serverProperties(brokerPortNumber: number, controllerPort: number, logDir: string): string;
export declare const kafka: Component;
