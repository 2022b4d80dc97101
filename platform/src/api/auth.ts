import { TokenError, createSigner, createVerifier } from 'fast-jwt';
import type { Middleware } from 'koa';
import { HttpError } from './http-error.ts';

export interface UserState {
  userId: string;
}

const userIdPattern = /^[\x21-\x7e]{1,128}$/;

// What a refused token is told, by fast-jwt's error code; anything else is "not valid".
const tokenProblems: Readonly<Record<string, string>> = {
  [TokenError.codes.expired]: 'the token has expired',
  [TokenError.codes.missingRequiredClaim]:
    'the token has no expiry (exp); only expiring tokens are accepted',
};

/**
 * HS256 tokens: the user id comes only from a verified token's `sub`, never from a body.
 * Verification is synchronous HMAC, and a verified token is remembered until it expires:
 * during a sale the same buyer presents the same token again and again. A token without
 * `exp` is refused: it would be valid for ever once leaked (docs/http-api.md).
 */
export class TokenVerifier {
  private readonly verifyToken: (token: string) => { sub?: unknown };
  private readonly secret: string;

  constructor(secret: string) {
    this.secret = secret;
    this.verifyToken = createVerifier({
      key: secret,
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      cache: 10_000,
    });
  }

  verify(token: string): string {
    let payload: { sub?: unknown };
    try {
      payload = this.verifyToken(token);
    } catch (error) {
      const problem = error instanceof TokenError ? tokenProblems[error.code] : undefined;
      throw new HttpError(401, 'unauthorized', problem ?? 'the token is not valid');
    }
    if (typeof payload.sub !== 'string' || !userIdPattern.test(payload.sub)) {
      throw new HttpError(401, 'unauthorized', 'the token has no usable subject (sub)');
    }
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

export function requireUser(verifier: TokenVerifier): Middleware<UserState> {
  return async (ctx, next) => {
    const match = /^Bearer ([^\s]+)$/.exec(ctx.get('Authorization'));
    if (!match?.[1]) {
      throw new HttpError(401, 'unauthorized', 'send Authorization: Bearer <token>', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    ctx.state.userId = verifier.verify(match[1]);
    await next();
  };
}
