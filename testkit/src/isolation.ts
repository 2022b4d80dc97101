import { randomBytes } from 'node:crypto';

/**
 * Names that keep one test's data apart from every other test's (and from a developer's
 * own data in the same stack): a Redis key prefix, a Kafka topic, a database and a
 * Kubernetes namespace, all derived from one short random id.
 */
export interface IsolatedNames {
  readonly id: string;
  readonly redisPrefix: string;
  readonly kafkaTopic: string;
  readonly database: string;
  readonly namespace: string;
}

export function isolatedNames(label: string): IsolatedNames {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 20);
  const id = `${slug}-${randomBytes(4).toString('hex')}`;
  return {
    id,
    redisPrefix: `test:${id}:`,
    kafkaTopic: `test.${id}`,
    database: `test_${id.replaceAll('-', '_')}`,
    namespace: `test-${id}`,
  };
}

/** Polls until `probe` returns a value that is not undefined, or fails with `what`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const reason = last instanceof Error ? `: ${last.message}` : '';
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${reason}`);
}
