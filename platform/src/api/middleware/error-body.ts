import type { Middleware } from 'koa';
import type { ErrorBody, ErrorCode } from '@flashsale/contract';
import { HttpError } from '../http-error.ts';

interface KoaLikeError {
  status?: number;
  expose?: boolean;
  message?: string;
  type?: string;
}

/** Maps errors raised by Koa itself and its body parser onto the contract's codes. */
function fromKoaError(error: KoaLikeError): HttpError | undefined {
  const status = error.status ?? 500;
  if (status >= 500 || !error.expose) return undefined;
  const codes: Record<number, ErrorCode> = {
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    401: 'unauthorized',
    404: 'not_found',
    405: 'method_not_allowed',
  };
  return new HttpError(
    status,
    codes[status] ?? 'invalid_request',
    error.message ?? 'invalid request',
  );
}

/**
 * The first middleware: every error becomes `{"error": {"code", "message"}}`. Unexpected
 * errors answer 500 without details and are emitted on the app for logging.
 */
export function errorBody(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (error) {
      const known = error instanceof HttpError ? error : fromKoaError(error as KoaLikeError);
      const answer = known ?? new HttpError(500, 'internal', 'internal error');
      if (!known) ctx.app.emit('error', error, ctx);
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.body = { error: { code: answer.code, message: answer.message } } satisfies ErrorBody;
    }
  };
}
