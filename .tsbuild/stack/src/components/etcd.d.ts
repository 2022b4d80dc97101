import { type Component } from './component.ts';
export declare const etcdUrl: () => string;
export declare const etcd: Component;
