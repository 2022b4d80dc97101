import type { Component } from './component.ts';
export declare const redis: Component;
