import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseEnv as parseDotenv } from 'node:util';
import { envFilePath } from './paths.ts';

/**
 * Quotes a value so that a POSIX shell (`source .flashsale/stack.env`) and a dotenv reader
 * (Node's `util.parseEnv`, `node --env-file`) read the same string: single quotes, or double
 * quotes for a value that holds a single quote and nothing either reader would expand.
 */
export function envQuote(key: string, value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`${key}: a value in the env file cannot span lines`);
  if (!value.includes("'")) return `'${value}'`;
  if (/["$`\\]/.test(value)) {
    throw new Error(
      `${key}=${value}: a value with both a single quote and one of " $ \` \\ cannot be written to the env file; use a path without them`,
    );
  }
  return `"${value}"`;
}

export function formatEnv(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([key, value]) => `export ${key}=${envQuote(key, value)}\n`)
    .join('');
}

/** Reads an env file in the dotenv format (`export` prefixes allowed), as Node does. */
export function parseEnv(text: string): Record<string, string> {
  return parseDotenv(text) as Record<string, string>;
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
