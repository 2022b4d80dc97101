import { readFile, stat } from 'node:fs/promises';
import { TokenVerifier } from '@flashsale/platform';
import { crowdTokens, writeCrowd } from './crowd.ts';

describe('bench: crowd', () => {
  const secret = 'a-bench-secret-of-at-least-thirty-two-characters';

  it('signs one valid token per distinct buyer', () => {
    const tokens = crowdTokens(secret, 50, 600);
    const verifier = new TokenVerifier(secret);
    const users = tokens.map((token) => verifier.verify(token));
    expect(new Set(users).size).toBe(50);
  });

  it('writes the tokens one a line, readable by this user only', async () => {
    const crowd = await writeCrowd(secret, 20);
    try {
      const lines = (await readFile(crowd.tokenFile, 'utf8')).trim().split('\n');
      expect(lines.length).toBe(20);
      expect(new Set(lines).size).toBe(20);
      expect(lines[0]).toBe(crowd.sample);
      expect((await stat(crowd.tokenFile)).mode & 0o777).toBe(0o600);
    } finally {
      await crowd.remove();
    }
  });
});
