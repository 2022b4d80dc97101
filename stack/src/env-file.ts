import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { envFilePath } from './paths.ts';

/** Quotes a value for a POSIX shell (single quotes, with embedded quotes escaped). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function formatEnv(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([key, value]) => `export ${key}=${shellQuote(value)}\n`)
    .join('');
}

/** Reads back what `formatEnv` wrote (and only that shape). */
export function parseEnv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined)
      vars[match[1]] = match[2].replaceAll(`'\\''`, "'");
  }
  return vars;
}

export async function writeEnvFile(
  vars: Record<string, string>,
  path = envFilePath(),
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, formatEnv(vars));
}

/** The endpoints of the running stack, as `stack up` last wrote them. */
export async function readEnvFile(path = envFilePath()): Promise<Record<string, string>> {
  try {
    return parseEnv(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new Error(
      `no stack endpoints at ${path}: start the stack with \`npx flashsale stack up\``,
      { cause },
    );
  }
}
