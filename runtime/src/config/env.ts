import { z } from 'zod';

/**
 * Validates process configuration from environment variables. Every problem is reported at
 * once, each naming the variable, so a bad deployment fails at start with a message that
 * says what to fix.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadEnv<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.');
    const given = env[variable];
    const shown = given === undefined ? 'is not set' : `=${JSON.stringify(given)} is invalid`;
    return `${variable} ${shown}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** A URL with one of the given protocols, e.g. `urlWith('redis:', 'rediss:')`. */
export const urlWith = (...protocols: string[]): z.ZodString =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a ${protocols.map((p) => `${p}//`).join(' or ')} URL` },
  );

/** A comma-separated list of host:port pairs (Kafka brokers). */
export const hostPortList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .refine(
    (entries) => entries.length > 0 && entries.every((entry) => /^[^\s:]+:\d{1,5}$/.test(entry)),
    {
      message: 'expected host:port[,host:port...]',
    },
  );

export const portNumber = z.coerce.number().int().min(1).max(65535);
