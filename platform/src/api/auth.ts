import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';
import type { Middleware } from 'koa';
import { HttpError } from './http-error.ts';

export interface UserState {
  userId: string;
}

const userIdPattern = /^[\x21-\x7e]{1,128}$/;

/** HS256 tokens: the user id comes only from a verified token's `sub`, never from a body. */
export class TokenVerifier {
  // A KeyObject made once: handing jose the raw bytes would import the key on every request.
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  async verify(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || !userIdPattern.test(payload.sub)) {
        throw new HttpError(401, 'unauthorized', 'the token has no usable subject (sub)');
      }
      return payload.sub;
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const reason =
        error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is not valid';
      throw new HttpError(401, 'unauthorized', reason);
    }
  }

  /** Issues a token (used only by dev login in local mode). */
  issue(userId: string, ttlSeconds: number): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.key);
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
    ctx.state.userId = await verifier.verify(match[1]);
    await next();
  };
}
