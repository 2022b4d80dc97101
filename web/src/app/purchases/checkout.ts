import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import { Session } from '../auth/session';
import { BROWSER_NOW } from '../core/browser-clock';
import {
  confirmedOutcome,
  failedOutcome,
  isRetryable,
  type PurchaseOutcome,
} from './purchase-outcome';
import { PurchasesApi } from './purchases-api';

/** A fresh random key per purchase intent (works outside secure contexts too). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Automatic retries of one intent after 429/503, each after the server's Retry-After. */
const maxAutomaticRetries = 3;

/**
 * One buyer's purchase intents on one sale page. An intent keeps its Idempotency-Key until
 * it reaches a final outcome, so a retry after 429, 503 or a lost answer can never buy a
 * second unit; a new intent (pressing Buy after a final outcome) gets a new key. Only one
 * request is ever in flight, whatever the mouse does.
 */
@Injectable()
export class Checkout {
  private readonly api = inject(PurchasesApi);
  private readonly session = inject(Session);
  private readonly now = inject(BROWSER_NOW);
  private intentKey: string | undefined;
  private automaticRetries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  readonly inFlight = signal(false);
  /** True while the server asked us to wait (Retry-After). */
  readonly waiting = signal(false);
  readonly outcome = signal<PurchaseOutcome | undefined>(undefined);
  /** Counts confirmations, so views can reload what depends on them. */
  readonly confirmations = signal(0);

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.retryTimer));
  }

  /** The buyer presses Buy: ignored while a request is in flight or the server asked to wait. */
  buy(sale: string): void {
    if (this.inFlight() || this.waiting()) return;
    this.automaticRetries = 0;
    this.attempt(sale);
  }

  private attempt(sale: string): void {
    this.inFlight.set(true);
    this.intentKey ??= newIdempotencyKey();
    this.api.buy(sale, this.intentKey).subscribe({
      next: (response) => this.settle(sale, confirmedOutcome(response)),
      error: (error: unknown) => this.settle(sale, failedOutcome(error, this.now())),
    });
  }

  private settle(sale: string, outcome: PurchaseOutcome): void {
    this.inFlight.set(false);
    this.outcome.set(outcome);
    if (outcome.kind === 'confirmed') this.confirmations.update((count) => count + 1);
    if (outcome.kind === 'unauthorized') this.session.signOut();
    if (!isRetryable(outcome)) {
      this.intentKey = undefined;
      this.automaticRetries = 0;
      return;
    }
    if ('retryAfterSeconds' in outcome) this.retryLater(sale, outcome.retryAfterSeconds);
  }

  private retryLater(sale: string, seconds: number): void {
    this.waiting.set(true);
    this.retryTimer = setTimeout(() => {
      this.waiting.set(false);
      if (this.automaticRetries >= maxAutomaticRetries) {
        this.outcome.set({ kind: 'still_busy' });
        return;
      }
      this.automaticRetries += 1;
      this.attempt(sale);
    }, seconds * 1000);
  }
}
