import type { Component } from './component.ts';
export declare const kubeApiserverUrl: () => string;
export declare const kubeApiserver: Component;
