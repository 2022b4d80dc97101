import type { Middleware } from 'koa';
import { HttpError } from '../http-error.ts';

/** Errors by which ioredis says the server cannot be reached right now. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  return /Connection is closed|enableOfflineQueue|Command timed out|ECONNREFUSED|ECONNRESET|Stream isn't writeable|LOADING/.test(
    error.message,
  );
}

/**
 * Redis unreachable → 503 with Retry-After, at once (the client has no offline queue, so
 * nothing waits). The purchase script is atomic, so a failed call left no partial state;
 * a call whose answer was lost is recovered by retrying with the same Idempotency-Key.
 */
const unavailable = (): HttpError =>
  new HttpError(503, 'unavailable', 'temporarily unavailable; retry shortly', {
    'Retry-After': '1',
  });

export function dependencyErrors(isRedisReady: () => boolean): Middleware {
  return async (ctx, next) => {
    // The error is built only when it is thrown: this runs on every request.
    if (ctx.path.startsWith('/api/sales') && !isRedisReady()) throw unavailable();
    try {
      await next();
    } catch (error) {
      throw isRedisUnavailable(error) ? unavailable() : error;
    }
  };
}
