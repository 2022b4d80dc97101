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

export function failedOutcome(error: unknown): PurchaseOutcome {
  const failure = apiError(error);
  const retryAfterSeconds = failure.retryAfterSeconds ?? defaultRetryAfterSeconds;
  switch (failure.code) {
    case 'sold_out':
    case 'not_started':
    case 'ended':
    case 'unauthorized':
      return { kind: failure.code };
    case 'limit_reached':
      return { kind: 'limit_reached', detail: failure.message };
    case 'rate_limited':
    case 'unavailable':
    // The purchase may have been made: only a retry with the same key can tell.
    case 'outcome_unknown':
      return { kind: failure.code, retryAfterSeconds };
  }
  if (failure.status === 0) return { kind: 'no_answer' };
  if (failure.status === 503) return { kind: 'unavailable', retryAfterSeconds };
  return { kind: 'failed', detail: failure.message };
}

/** One clear sentence per outcome, for the buyer. */
export function outcomeMessage(outcome: PurchaseOutcome): string {
  switch (outcome.kind) {
    case 'confirmed':
      return `Confirmed! Order ${orderNumber(outcome.purchase.purchaseId)} is yours.`;
    case 'sold_out':
      return 'Sold out: every unit has been sold.';
    case 'limit_reached':
      return `You have reached the limit for this sale (${outcome.detail}).`;
    case 'not_started':
      return 'The sale has not started yet. Try again when the countdown ends.';
    case 'ended':
      return 'The sale has ended.';
    case 'unauthorized':
      return 'Your session has expired. Please sign in again.';
    case 'rate_limited':
      return `Too many attempts right now. Trying again in ${outcome.retryAfterSeconds} s…`;
    case 'unavailable':
      return `The shop is very busy. Trying again in ${outcome.retryAfterSeconds} s…`;
    case 'outcome_unknown':
      return `We could not confirm your order yet. Checking again in ${outcome.retryAfterSeconds} s: you will not be charged twice.`;
    case 'no_answer':
      return 'No answer from the shop. Press Buy to try again: you will not be charged twice.';
    case 'still_busy':
      return 'The shop is still busy. Press Buy to try again: you will not be charged twice.';
    case 'failed':
      return `The purchase failed: ${outcome.detail}`;
  }
}
