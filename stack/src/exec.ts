import { spawn, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
  /** When set, stdout and stderr are appended to this file instead of being captured. */
  readonly logFile?: string;
}

export interface RunResult {
  readonly code: number;
  readonly output: string;
}

/** Runs a command to completion; never throws for a non-zero exit (see `runOrThrow`). */
export async function run(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  if (options.uid !== undefined) spawnOptions.uid = options.uid;
  if (options.gid !== undefined) spawnOptions.gid = options.gid;
  if (options.logFile) await mkdir(dirname(options.logFile), { recursive: true });
  const sink = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(cmd, args, spawnOptions);
    const collect = (chunk: Buffer): void => {
      if (sink) sink.write(chunk);
      else chunks.push(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (error) => {
      sink?.end();
      resolve({ code: 127, output: `${cmd}: ${error.message}` });
    });
    child.on('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (sink) sink.end(() => resolve({ code: code ?? 1, output }));
      else resolve({ code: code ?? 1, output });
    });
  });
}

/** Runs a command and throws with its output (or the tail of its log file) when it fails. */
export async function runOrThrow(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) {
    const detail = options.logFile ? await tail(options.logFile, 25) : result.output.trim();
    const where = options.logFile ? ` (full log: ${options.logFile})` : '';
    throw new Error(`\`${cmd} ${args.join(' ')}\` exited with ${result.code}${where}\n${detail}`);
  }
  return result.output;
}

export async function tail(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** The first line of a command's output, or undefined when the command is missing or fails. */
export async function firstLine(cmd: string, args: readonly string[]): Promise<string | undefined> {
  const result = await run(cmd, args);
  if (result.code !== 0) return undefined;
  return result.output.trim().split('\n')[0];
}
