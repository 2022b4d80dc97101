import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/** CPU time from /proc/<pid>/stat, in clock ticks. */
export interface ProcCpu {
  /** The process's own user + system time. */
  readonly self: number;
  /** User + system time of its children that have exited and been waited for. */
  readonly children: number;
}

/**
 * Reads utime, stime, cutime and cstime (fields 14 to 17 of proc(5)'s stat). The command
 * name (field 2) may hold spaces and parentheses, so the fields are counted after its last ')'.
 */
export function parseProcStat(stat: string): ProcCpu {
  const rest = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): utime is field 14, so rest[11].
  const [utime, stime, cutime, cstime] = rest.slice(11, 15).map(Number);
  if ([utime, stime, cutime, cstime].some((value) => value === undefined || Number.isNaN(value))) {
    throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 120)}`);
  }
  return { self: (utime ?? 0) + (stime ?? 0), children: (cutime ?? 0) + (cstime ?? 0) };
}

export async function readProcCpu(pid: number | 'self'): Promise<ProcCpu> {
  return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** Clock ticks a second (`getconf CLK_TCK`; 100 on every Linux the bench has met). */
export async function clockTicksPerSecond(): Promise<number> {
  try {
    const { stdout } = await promisify(execFile)('getconf', ['CLK_TCK']);
    const ticks = Number(stdout.trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** How much CPU a process used over a wall-clock interval. */
export interface CpuShare {
  readonly cpuSeconds: number;
  /** Percent of one core (200 means two cores busy all the time). */
  readonly ofOneCore: number;
  /** Percent of every core of the machine. */
  readonly ofMachine: number;
}

export function cpuShare(cpuSeconds: number, wallSeconds: number, cores: number): CpuShare {
  const ofOneCore = wallSeconds > 0 ? (cpuSeconds / wallSeconds) * 100 : 0;
  return { cpuSeconds, ofOneCore, ofMachine: ofOneCore / Math.max(1, cores) };
}

/**
 * A load generator is the bottleneck when it keeps the cores it may use nearly busy: the
 * server could have answered more than it was asked. 90% leaves room for measurement noise.
 */
export function generatorSaturated(share: CpuShare, usableCores: number): boolean {
  return share.ofOneCore >= 90 * usableCores;
}

export function formatCpu(share: CpuShare): string {
  return `${share.cpuSeconds.toFixed(1)} s CPU = ${share.ofOneCore.toFixed(0)}% of one core, ${share.ofMachine.toFixed(0)}% of the machine`;
}
