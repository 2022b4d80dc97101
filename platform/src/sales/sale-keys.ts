/**
 * Redis keys of one sale. Every key carries the hash tag `{sale}`, so all of a sale's keys
 * live in one slot and the purchase script can touch them atomically on Redis Cluster too.
 */
export interface SaleKeys {
  /** Hash: the sale's definition (sku, title, price, stock, limit, window, generation). */
  readonly config: string;
  /** Integer: units left. Never negative. */
  readonly remaining: string;
  /** Hash: userId → units bought. */
  readonly buyers: string;
  /** Stream: purchase events not yet handed to Kafka (the outbox). */
  readonly outbox: string;
  /**
   * String per user and Idempotency-Key: the purchase it produced. Scoped by user, so one
   * user's key can never replay another user's purchase.
   */
  readonly idempotency: (userId: string, key: string) => string;
  /** List per user: that user's purchases in this sale. */
  readonly userPurchases: (userId: string) => string;
  /** Counter per user: purchase attempts in the current rate-limit window. */
  readonly rateLimit: (userId: string) => string;
  /** Match pattern for every key of the sale (used when a sale is deleted). */
  readonly pattern: string;
}

export function saleKeys(sale: string): SaleKeys {
  const base = `flashsale:{${sale}}`;
  return {
    config: `${base}:config`,
    remaining: `${base}:remaining`,
    buyers: `${base}:buyers`,
    outbox: `${base}:outbox`,
    // The user id's length goes first, so no (user, key) pair can spell another pair's key.
    idempotency: (userId, key) => `${base}:idem:${userId.length}:${userId}:${key}`,
    userPurchases: (userId) => `${base}:user:${userId}`,
    rateLimit: (userId) => `${base}:rl:${userId}`,
    pattern: `${base}:*`,
  };
}

/** Set of all configured sale names (outside any sale's slot; only used to list sales). */
export const salesIndexKey = 'flashsale:sales';

/** Pub/sub channel: a sale's name is published whenever its stock or definition changes. */
export const saleChangesChannel = 'flashsale:sale-changes';

/**
 * The channel as seen on the server. ioredis prefixes keys but not channels, so the key
 * prefix (test isolation, several platforms on one Redis) is added here by hand.
 */
export function changesChannelFor(keyPrefix: string | undefined): string {
  return `${keyPrefix ?? ''}${saleChangesChannel}`;
}

/** Consumer group of the outbox relay on every sale's outbox stream. */
export const outboxGroup = 'relay';
