import { TokenError, createSigner, createVerifier } from 'fast-jwt';
import type { Middleware } from 'koa';
import type { ApiConfig } from './config.ts';
import { HttpError } from './http-error.ts';
import { JwksTokenVerifier } from './jwks-verifier.ts';
import { VerifiedTokens } from './verified-tokens.ts';

export interface UserState {
  userId: string;
}

const userIdPattern = /^[\x21-\x7e]{1,128}$/;

/** Verified tokens kept per process: a crowd of 50,000 buyers, a few MiB. */
const defaultVerifiedTokens = 50_000;

// What a refused token is told, by fast-jwt's error code; anything else is "not valid".
const tokenProblems: Readonly<Record<string, string>> = {
  [TokenError.codes.expired]: 'the token has expired',
  [TokenError.codes.missingRequiredClaim]:
    'the token has no expiry (exp); only expiring tokens are accepted',
};

/**
 * HS256 tokens: the user id comes only from a verified token's `sub`, never from a body.
 * Verification is synchronous HMAC, and a verified token is remembered until it expires
 * (`VerifiedTokens`): during a sale the same buyer presents the same token again and again.
 * A token without `exp` is refused: it would be valid for ever once leaked
 * (docs/http-api.md).
 */
export class TokenVerifier {
  private readonly verifyToken: (token: string) => { sub?: unknown; exp?: unknown };
  private readonly secret: string;
  private readonly verified: VerifiedTokens;

  constructor(secret: string, verified = new VerifiedTokens(defaultVerifiedTokens)) {
    this.secret = secret;
    this.verified = verified;
    this.verifyToken = createVerifier({
      key: secret,
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
    });
  }

  verify(token: string): string {
    const known = this.verified.userOf(token);
    if (known !== undefined) return known;
    let payload: { sub?: unknown; exp?: unknown };
    try {
      payload = this.verifyToken(token);
    } catch (error) {
      const problem = error instanceof TokenError ? tokenProblems[error.code] : undefined;
      throw new HttpError(401, 'unauthorized', problem ?? 'the token is not valid');
    }
    if (typeof payload.sub !== 'string' || !userIdPattern.test(payload.sub)) {
      throw new HttpError(401, 'unauthorized', 'the token has no usable subject (sub)');
    }
    // fast-jwt checked that exp is a number in the future.
    this.verified.remember(token, payload.sub, Number(payload.exp) * 1000);
    return payload.sub;
  }

  /** Issues a token (used only by dev login in local mode). */
  issue(userId: string, ttlSeconds: number): string {
    const sign = createSigner({
      key: this.secret,
      algorithm: 'HS256',
      expiresIn: ttlSeconds * 1000,
    });
    return sign({ sub: userId });
  }
}

/** Turns a bearer token into a user id, or throws an HttpError (401, or 503). */
export interface BearerVerifier {
  verify(token: string): string | Promise<string>;
}

/** Issues tokens for dev login: only the HS256 verifier can. */
export interface TokenIssuer {
  issue(userId: string, ttlSeconds: number): string;
}

export type ApiVerifier = BearerVerifier & Partial<TokenIssuer>;

/**
 * AUTH_JWKS_URL set: tokens from the OIDC provider (RS256/ES256, docs/identity.md).
 * Otherwise HS256 with AUTH_JWT_SECRET, for local development and dev login.
 */
export function createBearerVerifier(config: ApiConfig): ApiVerifier {
  if (!config.AUTH_JWKS_URL) return new TokenVerifier(config.AUTH_JWT_SECRET ?? '');
  return new JwksTokenVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    cooldownMs: config.AUTH_JWKS_COOLDOWN_SECONDS * 1000,
    cacheMaxAgeMs: config.AUTH_JWKS_MAX_AGE_SECONDS * 1000,
    clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_SECONDS,
  });
}

export function requireUser(verifier: BearerVerifier): Middleware<UserState> {
  return async (ctx, next) => {
    const match = /^Bearer ([^\s]+)$/.exec(ctx.get('Authorization'));
    if (!match?.[1]) {
      throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    ctx.state.userId = await verifier.verify(match[1]);
    await next();
  };
}
