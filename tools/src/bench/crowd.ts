import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenVerifier } from '@flashsale/platform';

/** A crowd of distinct signed buyers, one bearer token a line, for the load generator. */
export interface Crowd {
  readonly size: number;
  readonly tokenFile: string;
  /** A token of the crowd, for checking a phase's answer before loading it. */
  readonly sample: string;
  remove(): Promise<void>;
}

export const crowdUserId = (index: number): string => `bench-buyer-${index}`;

/** Signs `size` tokens (valid for `ttlSeconds`) with the key the API verifies with. */
export function crowdTokens(secret: string, size: number, ttlSeconds: number): string[] {
  const verifier = new TokenVerifier(secret);
  return Array.from({ length: size }, (_, index) => verifier.issue(crowdUserId(index), ttlSeconds));
}

export async function writeCrowd(secret: string, size: number, ttlSeconds = 3600): Promise<Crowd> {
  const dir = await mkdtemp(join(tmpdir(), 'flashsale-crowd-'));
  const tokenFile = join(dir, 'tokens');
  const tokens = crowdTokens(secret, size, ttlSeconds);
  // The tokens are bearer credentials for the local key: readable by this user only.
  await writeFile(tokenFile, `${tokens.join('\n')}\n`, { mode: 0o600 });
  return {
    size,
    tokenFile,
    sample: tokens[0] ?? '',
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
