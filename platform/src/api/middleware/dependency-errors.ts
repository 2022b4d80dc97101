import type { Middleware } from 'koa';
import { OutcomeUnknownError } from '../../purchases/purchase-decider.ts';
import { classifyRedisError } from '@flashsale/runtime';
import { HttpError } from '../http-error.ts';

/**
 * Redis unreachable, or refusing for a while (OOM, READONLY, BUSY, ...) → 503 with
 * Retry-After, at once (the client has no offline queue, so nothing waits). The purchase
 * script is atomic and these refusals come before its first write, so a refused call left
 * no partial state. The error is built only when it is thrown: this runs on every request.
 */
const unavailable = (): HttpError =>
  new HttpError(503, 'unavailable', 'temporarily unavailable; retry shortly', {
    'Retry-After': '1',
  });

/**
 * A purchase that was sent to Redis and got no (durable) answer may have happened: the
 * client learns which by retrying with the same Idempotency-Key (docs/durability.md).
 */
export const outcomeUnknown = (): HttpError =>
  new HttpError(
    503,
    'outcome_unknown',
    'the purchase may or may not have been made; retry with the same Idempotency-Key, or check GET /api/sales/{sale}/purchases/me',
    { 'Retry-After': '1' },
  );

/** The contract's answer to a dependency failure, or undefined for any other error. */
export function dependencyAnswer(error: unknown): HttpError | undefined {
  if (error instanceof OutcomeUnknownError) return outcomeUnknown();
  return classifyRedisError(error) === undefined ? undefined : unavailable();
}

export function dependencyErrors(isRedisReady: () => boolean): Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/api/sales') && !isRedisReady()) throw unavailable();
    try {
      await next();
    } catch (error) {
      throw dependencyAnswer(error) ?? error;
    }
  };
}
