import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ConfigError } from '@flashsale/runtime';
import { loadApiConfig } from './config.ts';
import { HttpError } from './http-error.ts';
import { JwksTokenVerifier } from './jwks-verifier.ts';

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const issuer = 'https://id.flashsale.test';
const audience = 'https://api.flashsale.test';

/** The verifier against a JWKS served over HTTP on loopback (no mocks of jose's fetch). */
describe('JwksTokenVerifier (RS256/ES256 from a JWKS URL)', () => {
  let server: Server;
  let jwksUrl = '';
  let published: JWK[] = [];
  let rsa: SigningKey;
  let ec: SigningKey;

  const token = (
    key: SigningKey,
    claims: Record<string, unknown> = {},
    exp: string | number = '5m',
  ) => {
    const jwt = new SignJWT({
      sub: 'alice',
      iss: issuer,
      aud: audience,
      ...claims,
    }).setProtectedHeader({ alg: key.alg, kid: key.kid });
    if (exp !== '') jwt.setExpirationTime(exp);
    return jwt.sign(key.privateKey);
  };

  const verifier = (url = jwksUrl) =>
    new JwksTokenVerifier({
      jwksUrl: url,
      issuer,
      audience,
      cooldownMs: 0,
      cacheMaxAgeMs: 600_000,
      clockToleranceSeconds: 0,
    });

  async function refusal(promise: Promise<string>): Promise<HttpError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof HttpError) return error;
      throw error;
    }
    throw new Error('the token was accepted');
  }

  beforeAll(async () => {
    rsa = await signingKey('RS256', 'rsa-1');
    ec = await signingKey('ES256', 'ec-1');
    server = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks`;
  });

  beforeEach(() => {
    published = [rsa.jwk, ec.jwk];
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('accepts RS256 and ES256 tokens with the right issuer and audience, giving sub', async () => {
    const verify = verifier();
    expect(await verify.verify(await token(rsa))).toBe('alice');
    expect(await verify.verify(await token(ec, { sub: 'bob' }))).toBe('bob');
  });

  it('refuses a token without exp with 401', async () => {
    const error = await refusal(verifier().verify(await token(rsa, {}, '')));
    expect([error.status, error.message]).toEqual([401, 'the token is not valid (exp)']);
  });

  it('refuses the wrong issuer, the wrong audience and an expired token with 401', async () => {
    const verify = verifier();
    const wrongIssuer = await refusal(verify.verify(await token(rsa, { iss: 'https://evil' })));
    expect([wrongIssuer.status, wrongIssuer.message]).toEqual([
      401,
      'the token is not valid (iss)',
    ]);
    const wrongAudience = await refusal(verify.verify(await token(rsa, { aud: 'other' })));
    expect([wrongAudience.status, wrongAudience.message]).toEqual([
      401,
      'the token is not valid (aud)',
    ]);
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = await refusal(verify.verify(await token(rsa, {}, past)));
    expect([expired.status, expired.message]).toEqual([401, 'the token has expired']);
  });

  it('refuses HS256, an unknown kid and a forged signature with 401', async () => {
    const verify = verifier();
    const hs256 = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect((await refusal(verify.verify(hs256))).status).toBe(401);
    const stranger = await signingKey('RS256', 'not-published');
    const unknownKid = await refusal(verify.verify(await token(stranger)));
    expect([unknownKid.status, unknownKid.message]).toEqual([
      401,
      'the token is signed by a key the provider does not publish',
    ]);
    const forged = await signingKey('RS256', rsa.kid);
    expect((await refusal(verify.verify(await token(forged)))).status).toBe(401);
  });

  it('refuses a token whose sub is missing or unusable', async () => {
    const error = await refusal(verifier().verify(await token(rsa, { sub: 'has space' })));
    expect([error.status, error.message]).toEqual([401, 'the token has no usable subject (sub)']);
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const error = await refusal(verifier('http://127.0.0.1:9/jwks').verify(await token(rsa)));
    expect([error.status, error.code, error.headers['Retry-After']]).toEqual([
      503,
      'unavailable',
      '5',
    ]);
  });
});

describe('API auth configuration', () => {
  const base = { REDIS_URL: 'redis://127.0.0.1:6379' };
  const problems = (env: NodeJS.ProcessEnv): readonly string[] => {
    try {
      loadApiConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('needs AUTH_ISSUER and AUTH_AUDIENCE with AUTH_JWKS_URL, naming each', () => {
    const found = problems({ ...base, AUTH_JWKS_URL: 'https://id.example.com/jwks' });
    expect(found.length).toBe(2);
    expect(found[0]).toMatch(/^AUTH_ISSUER is not set: required when AUTH_JWKS_URL is set/);
    expect(found[1]).toMatch(/^AUTH_AUDIENCE is not set: required when AUTH_JWKS_URL is set/);
  });

  it('refuses a JWKS URL that is not http(s) and dev login beside JWKS', () => {
    expect(
      problems({ ...base, AUTH_JWKS_URL: 'ftp://x', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })[0],
    ).toMatch(/^AUTH_JWKS_URL ="ftp:\/\/x" is invalid/);
    const devLogin = problems({
      ...base,
      AUTH_JWKS_URL: 'https://id.example.com/jwks',
      AUTH_ISSUER: 'https://id.example.com/',
      AUTH_AUDIENCE: 'flash-sale-api',
      AUTH_DEV_LOGIN: 'true',
    });
    expect(devLogin).toEqual([
      'AUTH_DEV_LOGIN ="true" is invalid: must be false when AUTH_JWKS_URL is set (dev login issues HS256)',
    ]);
  });

  it('needs AUTH_JWT_SECRET without AUTH_JWKS_URL, and not with it', () => {
    expect(problems(base)).toEqual([
      'AUTH_JWT_SECRET is not set: set it (HS256 key, at least 32 characters) or set AUTH_JWKS_URL',
    ]);
    const jwks = {
      ...base,
      AUTH_JWKS_URL: 'https://id.example.com/jwks',
      AUTH_ISSUER: 'https://id.example.com/',
      AUTH_AUDIENCE: 'flash-sale-api',
    };
    expect(problems(jwks)).toEqual([]);
  });
});
