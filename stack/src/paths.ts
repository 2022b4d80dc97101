import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: stack/src/ lives two levels below it. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Everything the running stack writes (data, logs, pid files, certificates, the env file)
 * lives under one project-local directory, so `rm -rf .flashsale` is a full reset.
 */
export function stateDir(): string {
  return process.env.FLASHSALE_STATE_DIR ?? join(projectRoot, '.flashsale');
}

/**
 * Built tools and downloaded jars are shared by every checkout of the project on this
 * machine, under the user's cache directory (XDG), so a fresh clone reuses them.
 */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return process.env.FLASHSALE_CACHE_DIR ?? join(base, 'flashsale');
}

export const statePath = (...parts: string[]): string => join(stateDir(), ...parts);
export const cachePath = (...parts: string[]): string => join(cacheDir(), ...parts);

/** Where the tools this project builds itself are installed. */
export const toolBinDir = (): string => cachePath('bin');
export const toolBin = (name: string): string => join(toolBinDir(), name);

/** The file `stack up` writes the endpoints to, as shell `export` lines. */
export const envFilePath = (): string => statePath('stack.env');
export const kubeconfigPath = (): string => statePath('kubeconfig');
