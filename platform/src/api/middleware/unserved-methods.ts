import type { Middleware } from 'koa';
import { HttpError } from '../http-error.ts';

/**
 * Turns the routers' bare method answers into the contract's error body. `allowedMethods()`
 * (without `throw`) leaves status 405, or 501 for a method no router knows (TRACE, PURGE,
 * PROPFIND, QUERY...), with an `Allow` header listing what the path serves. On a path that
 * exists both become 405 with `Allow`; on a path that does not, 404: a method no route serves
 * is bad input, answered with a 4xx like all bad input, so it cannot trip the 5xx alert.
 */
export function unservedMethods(): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.body !== undefined || (ctx.status !== 405 && ctx.status !== 501)) return;
    const allow = ctx.response.get('Allow');
    if (allow === '') {
      ctx.remove('Allow');
      throw new HttpError(404, 'not_found', `no route for ${ctx.method} ${ctx.path}`);
    }
    throw new HttpError(
      405,
      'method_not_allowed',
      `${ctx.method} is not allowed on this path; use ${allow}`,
      { Allow: allow },
    );
  };
}
