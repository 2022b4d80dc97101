import Router, { type RouterMiddleware } from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AttemptResult, ApiMetrics } from '../api-metrics.ts';
import {
  OutcomeUnknownError,
  type PurchaseDecider,
  type PurchaseDecision,
} from '../../purchases/purchase-decider.ts';
import type { SaleAnswerCache } from '../../purchases/sale-answer-cache.ts';
import type { SaleStore } from '../../sales/sale-store.ts';
import { isSaleName } from '../../sales/sale-name.ts';
import { activeTraceparent, inSpan, SpanKind } from '@flashsale/runtime';
import { requireUser, type BearerVerifier, type UserState } from '../auth.ts';
import { HttpError } from '../http-error.ts';
import { dependencyAnswer } from '../middleware/dependency-errors.ts';
import { jsonBody } from '../middleware/json-body.ts';
import { inRequestContext } from '../middleware/request-tracing.ts';
import {
  endedMessage,
  jsonContentType,
  knownResponse,
  notFoundMessage,
  notStartedMessage,
  purchaseRoute,
  resultOf,
  soldOutMessage,
} from './known-answers.ts';
import { findSale } from './sales-router.ts';

const purchaseBody = z.object({ quantity: z.number().int().min(1).max(1000).default(1) }).strict();
const idempotencyKeyPattern = /^[\x20-\x7e]{1,128}$/;

export interface PurchaseDeps {
  readonly sales: SaleStore;
  readonly decider: PurchaseDecider;
  /** Answers that hold for every buyer of a sale, given without Redis, token or body. */
  readonly saleAnswers: SaleAnswerCache;
  readonly verifier: BearerVerifier;
  readonly metrics: ApiMetrics;
}

function readRequest(ctx: Context): { quantity: number; idempotencyKey: string | undefined } {
  const parsed = purchaseBody.safeParse(ctx.request.body ?? {});
  if (!parsed.success) {
    throw new HttpError(
      400,
      'invalid_request',
      'the body is {"quantity": n} with n an integer from 1 to 1000',
    );
  }
  const key = ctx.get('Idempotency-Key');
  if (key !== '' && !idempotencyKeyPattern.test(key)) {
    throw new HttpError(
      400,
      'invalid_request',
      'Idempotency-Key must be 1-128 printable characters',
    );
  }
  return { quantity: parsed.data.quantity, idempotencyKey: key === '' ? undefined : key };
}

/** What an attempt that got no decision counts as: the two 503s apart from real faults. */
function failureResult(error: unknown): AttemptResult {
  if (error instanceof OutcomeUnknownError) return 'outcome_unknown';
  return dependencyAnswer(error) ? 'unavailable' : 'error';
}

/** Turns a decision into the contract's answer (status, body, headers). */
function answer(ctx: Context, decision: PurchaseDecision, sale: string): void {
  switch (decision.outcome) {
    case 'confirmed':
      ctx.status = 201;
      ctx.body = decision.purchase;
      return;
    case 'replay':
      ctx.status = 200;
      ctx.body = decision.purchase;
      return;
    case 'rate_limited':
      throw new HttpError(429, 'rate_limited', 'too many attempts; retry later', {
        'Retry-After': String(Math.ceil(decision.retryAfterMs / 1000)),
      });
    case 'sale_not_found':
      throw new HttpError(404, 'sale_not_found', notFoundMessage(sale));
    case 'not_started':
      throw new HttpError(409, 'not_started', notStartedMessage(decision.startsAt));
    case 'ended':
      throw new HttpError(409, 'ended', endedMessage);
    case 'limit_reached':
      throw new HttpError(
        409,
        'limit_reached',
        `the limit is ${decision.limit} per buyer; you have ${decision.bought}`,
      );
    case 'sold_out':
      throw new HttpError(
        410,
        'sold_out',
        decision.remaining > 0 ? `only ${decision.remaining} left` : soldOutMessage,
      );
  }
}

export function purchasesRouter(deps: PurchaseDeps): Router<UserState> {
  const router = new Router<UserState>({ prefix: purchaseRoute });
  const count = (sale: string, result: AttemptResult): void => {
    deps.metrics.purchaseAttempts.inc({ sale: deps.metrics.saleLabels.label(sale), result });
  };

  const decide = (ctx: Context & { state: UserState }, sale: string) => {
    const request = readRequest(ctx);
    return inSpan(
      'redis purchase-decision',
      { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'redis', 'flashsale.sale': sale } },
      async (span) => {
        // The traceparent stored with the purchase makes the relay's span a child of this one.
        const traceparent = activeTraceparent();
        const decided = await deps.decider.decide({
          sale,
          userId: ctx.state.userId,
          ...request,
          traceparent,
        });
        span.setAttribute('flashsale.outcome', decided.outcome);
        return decided;
      },
    );
  };

  const attempt = async (ctx: Context & { state: UserState }, sale: string): Promise<void> => {
    const decision = await inRequestContext(ctx, () => decide(ctx, sale));
    // A sale that does not exist gets no series of its own: names come from the URL.
    if (decision.outcome === 'sale_not_found') deps.metrics.saleLabels.forget(sale);
    else deps.metrics.saleLabels.remember(sale);
    count(sale, resultOf[decision.outcome]);
    deps.saleAnswers.learn(sale, decision);
    if (decision.outcome === 'confirmed')
      deps.metrics.stockRemaining.set({ sale }, decision.remaining);
    answer(ctx, decision, sale);
  };

  /**
   * Before the token and the body: whether a sale is sold out, not started, ended or absent
   * is public, so the crowd after the last unit costs no HMAC, no body parse and no Redis
   * round trip (docs/http-api.md, "Order of checks"). A request with an Idempotency-Key may
   * be the retry of a purchase whose answer was lost: only Redis knows, so it goes on.
   */
  const fromMemory: RouterMiddleware<UserState> = async (ctx, next) => {
    const sale = ctx.params.sale ?? '';
    if (!isSaleName(sale)) throw new HttpError(404, 'sale_not_found', 'no sale by that name');
    const known =
      ctx.headers['idempotency-key'] === undefined ? deps.saleAnswers.answer(sale) : undefined;
    if (known === undefined) {
      await next();
      return;
    }
    count(sale, resultOf[known.outcome]);
    const response = knownResponse(known, sale);
    ctx.status = response.status;
    ctx.set('Content-Type', jsonContentType);
    ctx.body = response.body;
  };

  router.post('/', fromMemory, requireUser(deps.verifier), jsonBody(), async (ctx) => {
    const sale = ctx.params.sale ?? '';
    try {
      await attempt(ctx, sale);
    } catch (error) {
      // Outcomes of a decision are counted where they are made; this counts what never got one.
      if (!(error instanceof HttpError)) count(sale, failureResult(error));
      else if (error.status === 400) count(sale, 'rejected');
      throw error;
    }
  });

  router.get('/me', requireUser(deps.verifier), async (ctx) => {
    const sale = await findSale(deps.sales, ctx.params.sale ?? '');
    ctx.body = await deps.decider.purchasesOf(sale.name, ctx.state.userId);
  });

  return router;
}
