import { readFileSync } from 'node:fs';

/** Reads a Lua script that sits beside the module that runs it. */
export function luaScript(moduleUrl: string, file: string): string {
  return readFileSync(new URL(file, moduleUrl), 'utf8');
}
