import { connect } from 'node:net';
import type { PortName } from '../ports.ts';
import type { LaunchSpec } from '../supervisor.ts';

/** One server of the local stack, as `stack up` starts it. */
export interface Component {
  readonly name: string;
  /** Components that must be ready before this one starts. */
  readonly dependsOn: readonly string[];
  /** The loopback port it listens on (checked for collisions before starting). */
  readonly portName: PortName;
  /** Its port when that is not `portName`'s own (one of several nodes on consecutive ports). */
  readonly port?: () => number;
  /** The environment variables that tell clients where it is. */
  readonly endpoints: () => Record<string, string>;
  /** Idempotent first-time set-up of its data directory and configuration. */
  readonly prepare: () => Promise<void>;
  readonly launchSpec: () => Promise<LaunchSpec>;
  readonly isReady: () => Promise<boolean>;
  /** Idempotent set-up that needs the server running (a database, a topic). */
  readonly afterReady?: () => Promise<void>;
  readonly readyTimeoutMs: number;
}

/** Whether anything accepts TCP connections on a loopback port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** True when a GET answers 2xx within a second; never throws. */
export async function httpOk(url: string, init: RequestInit = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
