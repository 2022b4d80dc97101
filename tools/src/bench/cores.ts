import { existsSync } from 'node:fs';

/** Which cores the bench gives the servers under test and which the load generator. */
export interface CorePlan {
  /** taskset -c lists, e.g. "0" and "1"; undefined when the bench cannot pin. */
  readonly servers?: string;
  readonly generator?: string;
  readonly generatorCores: number;
  readonly note: string;
}

const range = (from: number, to: number): string => (from === to ? `${from}` : `${from}-${to}`);

/**
 * Splits the machine: the generator gets the upper half of the cores (at least one), the
 * servers the rest. Redis, Kafka and PostgreSQL are the stack's and stay where the kernel
 * puts them. One core, or no taskset, means no pinning: everything shares.
 */
export function planCores(cores: number, tasksetAvailable: boolean): CorePlan {
  if (!tasksetAvailable || cores < 2) {
    return {
      generatorCores: Math.max(1, cores),
      note: tasksetAvailable
        ? 'one core: generator and servers share it'
        : 'taskset not found (util-linux): generator and servers are not pinned',
    };
  }
  const generatorCores = Math.max(1, Math.floor(cores / 2));
  const firstGenerator = cores - generatorCores;
  const servers = range(0, firstGenerator - 1);
  const generator = range(firstGenerator, cores - 1);
  return {
    servers,
    generator,
    generatorCores,
    note: `generator pinned to core ${generator}, servers under test to core ${servers}; Redis, Kafka, PostgreSQL, relay and persister unpinned`,
  };
}

export const tasksetPath = '/usr/bin/taskset';

export function tasksetAvailable(): boolean {
  return existsSync(tasksetPath);
}

/** The command line that runs `command` on `cores` (as is when there is nothing to pin to). */
export function pinned(
  cores: string | undefined,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  if (cores === undefined) return { command, args: [...args] };
  return { command: tasksetPath, args: ['-c', cores, command, ...args] };
}
