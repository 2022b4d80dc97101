import type { ErrorCode } from '@flashsale/contract';
import type { AttemptResult } from '../api-metrics.ts';
import type { PurchaseDecision } from '../../purchases/purchase-decider.ts';
import type { KnownAnswer } from '../../purchases/sale-answer-cache.ts';

/** The purchase route's template: the router's prefix, and its name in metrics and spans. */
export const purchaseRoute = '/api/sales/:sale/purchases';

/** The Content-Type of every JSON answer, as Koa writes it for a JSON body. */
export const jsonContentType = 'application/json; charset=utf-8';

/** How each decision is counted in flashsale_purchase_attempts_total. */
export const resultOf: Record<PurchaseDecision['outcome'], AttemptResult> = {
  confirmed: 'confirmed',
  replay: 'confirmed',
  rate_limited: 'rejected',
  sale_not_found: 'rejected',
  not_started: 'not_started',
  ended: 'ended',
  limit_reached: 'limit_reached',
  sold_out: 'sold_out',
};

// The messages of the answers memory can give, so Redis's path and memory's say the same.
export const endedMessage = 'the sale has ended';
export const soldOutMessage = 'sold out';
export const notStartedMessage = (startsAt: Date): string =>
  `the sale starts at ${startsAt.toISOString()}`;
export const notFoundMessage = (sale: string): string => `no sale named "${sale}"`;

/** A whole answer from memory: the status and the contract's error body, already JSON. */
export interface KnownResponse {
  readonly status: number;
  readonly body: string;
}

const errorJson = (code: ErrorCode, message: string): string =>
  JSON.stringify({ error: { code, message } });

const soldOut: KnownResponse = { status: 410, body: errorJson('sold_out', soldOutMessage) };
const ended: KnownResponse = { status: 409, body: errorJson('ended', endedMessage) };

/** The status and body `answer` in the purchase route gives for the same decision from Redis. */
export function knownResponse(known: KnownAnswer, sale: string): KnownResponse {
  switch (known.outcome) {
    case 'sold_out':
      return soldOut;
    case 'ended':
      return ended;
    case 'not_started':
      return { status: 409, body: errorJson('not_started', notStartedMessage(known.startsAt)) };
    case 'sale_not_found':
      return { status: 404, body: errorJson('sale_not_found', notFoundMessage(sale)) };
  }
}
