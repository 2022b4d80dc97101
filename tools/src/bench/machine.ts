import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg, totalmem } from 'node:os';

/** The machine a bench ran on: figures mean nothing without it. */
export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  /** 1, 5 and 15 minute load averages when the bench started. */
  readonly loadAverage: readonly number[];
}

async function cpuModel(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const line = cpuinfo.split('\n').find((entry) => entry.startsWith('model name'));
  return line?.split(':').slice(1).join(':').trim() ?? 'unknown (no /proc/cpuinfo)';
}

/** `node`: the version the servers run on, when not this process's. */
export async function describeMachine(node = process.version): Promise<Machine> {
  return {
    cpus: availableParallelism(),
    cpuModel: await cpuModel(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node,
    loadAverage: loadavg(),
  };
}

export const formatLoad = (load: readonly number[]): string =>
  load.map((value) => value.toFixed(2)).join(' ');

export function formatMachine(machine: Machine): string {
  return `machine: ${machine.cpus} CPUs (nproc), ${machine.cpuModel}, ${machine.memoryGiB} GiB memory, Node ${machine.node}; load average ${formatLoad(machine.loadAverage)} at the start`;
}
