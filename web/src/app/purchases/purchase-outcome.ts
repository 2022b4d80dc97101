import type { HttpResponse } from '@angular/common/http';
import type { Purchase } from '@flashsale/contract';
import { apiError } from '../core/api-error';
import { orderNumber } from './order-number';

/** Every answer the purchase contract can give, as the storefront tells it apart. */
export type PurchaseOutcome =
  | { readonly kind: 'confirmed'; readonly purchase: Purchase; readonly replayed: boolean }
  | { readonly kind: 'sold_out' | 'not_started' | 'ended' | 'unauthorized' }
  | { readonly kind: 'limit_reached'; readonly detail: string }
  | {
      readonly kind: 'rate_limited' | 'unavailable' | 'outcome_unknown';
      readonly retryAfterSeconds: number;
    }
  | { readonly kind: 'no_answer' | 'still_busy' }
  | { readonly kind: 'failed'; readonly detail: string };

/** Outcomes after which the same intent may be tried again (with the same key). */
export function isRetryable(outcome: PurchaseOutcome): boolean {
  return (
    outcome.kind === 'rate_limited' ||
    outcome.kind === 'unavailable' ||
    outcome.kind === 'outcome_unknown' ||
    outcome.kind === 'no_answer'
  );
}

export function confirmedOutcome(response: HttpResponse<Purchase>): PurchaseOutcome {
  if (!response.body) return { kind: 'failed', detail: 'the answer had no purchase in it' };
  return { kind: 'confirmed', purchase: response.body, replayed: response.status === 200 };
}

const defaultRetryAfterSeconds = 2;

/** Codes that end the attempt, and codes after which the same intent is retried. */
const finalCodes = ['sold_out', 'not_started', 'ended', 'unauthorized'] as const;
// outcome_unknown: the purchase may have been made: only a retry with the same key can tell.
const retryCodes = ['rate_limited', 'unavailable', 'outcome_unknown'] as const;

function isOneOf<T extends string>(codes: readonly T[], code: string): code is T {
  return (codes as readonly string[]).includes(code);
}

/** `nowMs`: the browser's time, for a Retry-After given as a date. */
export function failedOutcome(error: unknown, nowMs: number): PurchaseOutcome {
  const failure = apiError(error, nowMs);
  const retryAfterSeconds = failure.retryAfterSeconds ?? defaultRetryAfterSeconds;
  const code = failure.code;
  if (isOneOf(finalCodes, code)) return { kind: code };
  if (code === 'limit_reached') return { kind: 'limit_reached', detail: failure.message };
  if (isOneOf(retryCodes, code)) return { kind: code, retryAfterSeconds };
  if (failure.status === 0) return { kind: 'no_answer' };
  if (failure.status === 503) return { kind: 'unavailable', retryAfterSeconds };
  return { kind: 'failed', detail: failure.message };
}

type OutcomeKind = PurchaseOutcome['kind'];
type OutcomeOf<K extends OutcomeKind> = PurchaseOutcome & { readonly kind: K };

const messages: { readonly [K in OutcomeKind]: (outcome: OutcomeOf<K>) => string } = {
  confirmed: (outcome) => `Confirmed! Order ${orderNumber(outcome.purchase.purchaseId)} is yours.`,
  sold_out: () => 'Sold out: every unit has been sold.',
  limit_reached: (outcome) => `You have reached the limit for this sale (${outcome.detail}).`,
  not_started: () => 'The sale has not started yet. Try again when the countdown ends.',
  ended: () => 'The sale has ended.',
  unauthorized: () => 'Your session has expired. Please sign in again.',
  rate_limited: (outcome) =>
    `Too many attempts right now. Trying again in ${outcome.retryAfterSeconds} s…`,
  unavailable: (outcome) =>
    `The shop is very busy. Trying again in ${outcome.retryAfterSeconds} s…`,
  outcome_unknown: (outcome) =>
    `We could not confirm your order yet. Checking again in ${outcome.retryAfterSeconds} s: you will not be charged twice.`,
  no_answer: () =>
    'No answer from the shop. Press Buy to try again: you will not be charged twice.',
  still_busy: () =>
    'The shop is still busy. Press Buy to try again: you will not be charged twice.',
  failed: (outcome) => `The purchase failed: ${outcome.detail}`,
};

/** One clear sentence per outcome, for the buyer. */
export function outcomeMessage(outcome: PurchaseOutcome): string {
  // Each kind's message takes that kind's outcome; TypeScript cannot pair the two by itself.
  const message = messages[outcome.kind] as (outcome: PurchaseOutcome) => string;
  return message(outcome);
}
