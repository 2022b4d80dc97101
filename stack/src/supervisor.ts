import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntilTrue } from '@flashsale/runtime';
import { statePath } from './paths.ts';

/**
 * Starts stack components as detached background processes, each the leader of its own
 * process group, with a pid file and a log file under the state directory. A component
 * counts as ours only when its pid file names a live process whose command line still
 * contains the executable we started (a recycled pid is not ours).
 */
export interface LaunchSpec {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
  /**
   * A string the process's command line must contain for it to count as this component
   * (defaults to `cmd`; set it when `cmd` is generic, such as `node`).
   */
  readonly identity?: string;
}

const pidFile = (name: string): string => statePath('run', `${name}.pid`);
export const logFile = (name: string): string => statePath('logs', `${name}.log`);

interface PidRecord {
  readonly pid: number;
  readonly cmd: string;
}

async function readPidRecord(name: string): Promise<PidRecord | undefined> {
  try {
    return JSON.parse(await readFile(pidFile(name), 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

async function commandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** The pid of the running component, or undefined when it does not run. */
export async function runningPid(name: string): Promise<number | undefined> {
  const record = await readPidRecord(name);
  if (!record) return undefined;
  const cmdline = await commandLine(record.pid);
  return cmdline?.includes(record.cmd) ? record.pid : undefined;
}

export async function launch(spec: LaunchSpec): Promise<number> {
  await mkdir(statePath('run'), { recursive: true });
  await mkdir(statePath('logs'), { recursive: true });
  const out = openSync(logFile(spec.name), 'a');
  try {
    const child = spawn(spec.cmd, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', out, out],
      ...(spec.uid === undefined ? {} : { uid: spec.uid }),
      ...(spec.gid === undefined ? {} : { gid: spec.gid }),
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? -1));
      child.once('error', (error) =>
        reject(new Error(`could not start ${spec.name}: ${error.message}`, { cause: error })),
      );
    });
    child.unref();
    await writeFile(
      pidFile(spec.name),
      JSON.stringify({ pid, cmd: spec.identity ?? spec.cmd } satisfies PidRecord),
    );
    return pid;
  } finally {
    closeSync(out);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Members of a process group that are still running. Zombies do not count: an orphan whose
 * parent never reaps it (a container without an init) must not make `stop` wait forever.
 */
export async function liveGroupMembers(pgid: number): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

async function groupAlive(pgid: number): Promise<boolean> {
  return (await liveGroupMembers(pgid)).length > 0;
}

/** SIGTERM to the component's process group, then SIGKILL after `graceMs`. */
export async function stop(name: string, graceMs = 15_000): Promise<boolean> {
  const pid = await runningPid(name);
  await rm(pidFile(name), { force: true });
  if (pid === undefined) return false;
  signalGroup(pid, 'SIGTERM');
  const gone = async (): Promise<boolean> => !(await groupAlive(pid));
  if (await pollUntilTrue(gone, { timeoutMs: graceMs, intervalMs: 100 })) return true;
  signalGroup(pid, 'SIGKILL');
  while (await groupAlive(pid)) await sleep(50);
  return true;
}
