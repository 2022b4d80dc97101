import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import type { TokenIssuer } from '../auth.ts';
import { HttpError } from '../http-error.ts';
import { jsonBody } from '../middleware/json-body.ts';

const devLoginBody = z.object({ userId: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/) }).strict();
const devTokenTtlSeconds = 12 * 3600;

/**
 * Local mode only: trades a user id for a token. In production the storefront brings a
 * token from the identity provider and this route answers 404.
 */
export function authRouter(verifier: Partial<TokenIssuer>, devLoginEnabled: boolean): Router {
  const issue = devLoginEnabled ? verifier.issue?.bind(verifier) : undefined;
  const router = new Router({ prefix: '/api/auth' });
  // Checked before the body is read: a disabled route must look absent, whatever is sent.
  const enabled: Middleware = async (_ctx, next) => {
    if (!issue) throw new HttpError(404, 'not_found', 'dev login is disabled (AUTH_DEV_LOGIN)');
    await next();
  };
  router.post('/dev-login', enabled, jsonBody(), (ctx) => {
    const parsed = devLoginBody.safeParse(ctx.request.body);
    if (!parsed.success) {
      throw new HttpError(
        400,
        'invalid_request',
        'send {"userId": "..."}: 1-64 of A-Z a-z 0-9 . _ @ -',
      );
    }
    ctx.body = { token: issue?.(parsed.data.userId, devTokenTtlSeconds) };
  });
  return router;
}
