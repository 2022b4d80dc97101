import { createSigner } from 'fast-jwt';
import { TokenVerifier } from './auth.ts';
import { HttpError } from './http-error.ts';
import { VerifiedTokens } from './verified-tokens.ts';
import { systemClock } from '@flashsale/runtime';

const secret = 'verified-tokens-spec-secret-of-32-characters';
const sign = (sub: string, expiresInMs: number): string =>
  createSigner({ key: secret, algorithm: 'HS256', expiresIn: expiresInMs })({ sub });

function refusal(verify: () => unknown): string {
  try {
    verify();
  } catch (error) {
    if (error instanceof HttpError) return `${error.status} ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('verified-token cache', () => {
  beforeEach(() => {
    jasmine.clock().install();
    jasmine.clock().mockDate(new Date('2030-01-01T12:00:00.000Z'));
  });
  afterEach(() => jasmine.clock().uninstall());

  it('refuses a remembered token once its exp has passed', () => {
    const cache = new VerifiedTokens(10, systemClock);
    const verifier = new TokenVerifier(secret, cache);
    const token = sign('ines', 60_000);
    expect(verifier.verify(token)).toBe('ines');
    expect(cache.size).toBe(1);
    jasmine.clock().tick(59_000);
    expect(verifier.verify(token)).toBe('ines');
    // fast-jwt accepts a token up to its exp, included.
    jasmine.clock().tick(1_001);
    expect(refusal(() => verifier.verify(token))).toBe('401 the token has expired');
  });

  it('matches the whole token: a token with a forged signature is verified, and refused', () => {
    const verifier = new TokenVerifier(secret, new VerifiedTokens(10, systemClock));
    const token = sign('jon', 60_000);
    expect(verifier.verify(token)).toBe('jon');
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    expect(refusal(() => verifier.verify(forged))).toBe('401 the token is not valid');
  });

  it('keeps at most its bound, dropping the oldest, and never a token already expired', () => {
    const cache = new VerifiedTokens(2, systemClock);
    cache.remember('a', 'user-a', Date.now() + 1000);
    cache.remember('b', 'user-b', Date.now() + 1000);
    cache.remember('c', 'user-c', Date.now() + 1000);
    cache.remember('d', 'user-d', Date.now());
    expect(cache.size).toBe(2);
    expect(cache.userOf('a')).toBeUndefined();
    expect(cache.userOf('b')).toBe('user-b');
    expect(cache.userOf('c')).toBe('user-c');
    expect(cache.userOf('d')).toBeUndefined();
  });
});
