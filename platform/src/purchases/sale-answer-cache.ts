import { systemClock, type Clock } from '@flashsale/runtime';
import { ExpiringEntries } from './expiring-entries.ts';
import type { PurchaseDecision } from './purchase-decider.ts';

/** What this process may answer for a sale without asking Redis: it is public information. */
export type KnownAnswer =
  | { readonly outcome: 'sold_out' }
  | { readonly outcome: 'not_started'; readonly startsAt: Date }
  | { readonly outcome: 'ended' }
  | { readonly outcome: 'sale_not_found' };

export interface SaleAnswerCacheOptions {
  /** How long an answer is trusted without word from the change feed (a missed message). */
  readonly ttlMs: number;
  /** Sales remembered at most: names come from URLs, so the map must not grow with them. */
  readonly maxSales: number;
}

/** What Redis answered that stays true until the sale changes: the rest is per buyer. */
function knownFrom(decision: PurchaseDecision): KnownAnswer | undefined {
  switch (decision.outcome) {
    case 'sold_out':
      // "only 2 left" is a refusal of a quantity, not of the sale.
      return decision.remaining === 0 ? { outcome: 'sold_out' } : undefined;
    case 'not_started':
      return { outcome: 'not_started', startsAt: decision.startsAt };
    case 'ended':
      return { outcome: 'ended' };
    case 'sale_not_found':
      return { outcome: 'sale_not_found' };
    default:
      return undefined;
  }
}

/**
 * Remembers, per process, the answers Redis gave that hold for every buyer of a sale (sold
 * out, not started, ended, no such sale), so the crowd that follows is answered from memory
 * without a Redis round trip, a token check or a body parse (docs/http-api.md). An entry is
 * dropped when the sale changes (configuration, restock, stop: via the change feed), when a
 * not-started sale's start comes, and, as a safety net for a missed pub/sub message, after
 * `ttlMs`: an answer is never more than `ttlMs` older than Redis's.
 */
export class SaleAnswerCache {
  private readonly entries: ExpiringEntries<KnownAnswer>;

  constructor(
    private readonly options: SaleAnswerCacheOptions,
    private readonly clock: Clock = systemClock,
  ) {
    this.entries = new ExpiringEntries(options.maxSales);
  }

  /** The remembered answer, or undefined: then only Redis can tell. */
  answer(sale: string): KnownAnswer | undefined {
    return this.entries.get(sale, this.clock.now().getTime());
  }

  /** Remembers what a decision says of the whole sale, if anything. */
  learn(sale: string, decision: PurchaseDecision): void {
    const answer = knownFrom(decision);
    if (answer === undefined) return;
    const now = this.clock.now().getTime();
    let until = now + this.options.ttlMs;
    // By this process's clock; the TTL bounds what a skew from Redis's clock can cost.
    if (answer.outcome === 'not_started') until = Math.min(until, answer.startsAt.getTime());
    if (until > now) this.entries.set(sale, answer, until);
  }

  forget(sale: string): void {
    this.entries.delete(sale);
  }

  get size(): number {
    return this.entries.size;
  }
}
