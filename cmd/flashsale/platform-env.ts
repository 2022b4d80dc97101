import { existsSync } from 'node:fs';
import { envFilePath, readEnvFile } from '@flashsale/stack';

/**
 * The environment for commands that talk to the platform's services: the process
 * environment, with the local stack's endpoints filling whatever it does not set.
 */
export async function platformEnv(): Promise<NodeJS.ProcessEnv> {
  const stack = existsSync(envFilePath()) ? await readEnvFile() : {};
  return { ...stack, ...process.env };
}

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: export it, or start the local stack with \`npx flashsale stack up\``,
    );
  }
  return value;
}
