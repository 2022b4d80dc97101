import { down, status, up } from '@flashsale/stack';

/**
 * The real local stack, started at most once per test run by whichever integration spec
 * needs it first. When the harness started it, it stops it at the end of the run; a stack
 * the developer already had running is left as it was.
 */
export interface StackEnv {
  readonly REDIS_URL: string;
  readonly DATABASE_URL: string;
  readonly KAFKA_BROKERS: string;
  readonly KUBECONFIG: string;
  readonly PROMETHEUS_URL: string;
}

let starting: Promise<StackEnv> | undefined;
let startedByHarness = false;

function required(endpoints: Record<string, string>, key: keyof StackEnv): string {
  const value = endpoints[key];
  if (!value) throw new Error(`the stack reported no ${key}`);
  return value;
}

async function bringUp(): Promise<StackEnv> {
  const before = await status();
  startedByHarness = before.every((component) => component.pid === undefined);
  const endpoints = await up();
  return {
    REDIS_URL: required(endpoints, 'REDIS_URL'),
    DATABASE_URL: required(endpoints, 'DATABASE_URL'),
    KAFKA_BROKERS: required(endpoints, 'KAFKA_BROKERS'),
    KUBECONFIG: required(endpoints, 'KUBECONFIG'),
    PROMETHEUS_URL: required(endpoints, 'PROMETHEUS_URL'),
  };
}

/** Call from `beforeAll` with a generous timeout (the first caller waits for start-up). */
export function useStack(): Promise<StackEnv> {
  if (process.env.FLASHSALE_UNIT_LOOP === '1') {
    throw new Error(
      'a spec in the unit loop asked for the stack: name its file *.int.test.ts (CONTRIBUTING.md)',
    );
  }
  starting ??= bringUp();
  return starting;
}

/** Timeout for a `beforeAll` that calls `useStack()`: start-up of a cold stack. */
export const stackStartTimeoutMs = 180_000;

export async function releaseStack(): Promise<void> {
  if (!starting || !startedByHarness || process.env.FLASHSALE_KEEP_STACK === '1') return;
  await starting.catch(() => undefined);
  await down();
}
