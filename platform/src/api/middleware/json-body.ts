import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { HttpError } from '../http-error.ts';

/** Bodies are JSON only and at most 4 KiB; anything else is a 4xx, never a 5xx. */
export const maxBodyBytes = 4096;

export function jsonBody(): Middleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: maxBodyBytes,
    encoding: 'utf-8',
    onError: (error) => {
      const status = (error as { status?: number }).status;
      if (status === 413)
        throw new HttpError(413, 'payload_too_large', `the body exceeds ${maxBodyBytes} bytes`);
      throw new HttpError(400, 'invalid_request', 'the body is not valid JSON');
    },
  }) as unknown as Middleware;
  return async (ctx, next) => {
    const hasBody = ctx.request.length > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody && !ctx.is('application/json')) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        'send the body as Content-Type: application/json',
      );
    }
    if (ctx.request.length > maxBodyBytes) {
      throw new HttpError(413, 'payload_too_large', `the body exceeds ${maxBodyBytes} bytes`);
    }
    await parse(ctx, next);
  };
}
