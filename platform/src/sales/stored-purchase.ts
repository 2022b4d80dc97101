/**
 * A purchase as Redis holds it: in the buyer's purchase list, the outbox and the idempotency
 * key. purchase-decision.lua writes it; a reseed writes the same shape back.
 */
export interface StoredPurchase {
  readonly purchaseId: string;
  readonly sale: string;
  readonly userId: string;
  readonly quantity: number;
  /** The Redis server's clock at the moment of the decision. */
  readonly purchasedAtMs: number;
}

export function encodeStoredPurchase(purchase: StoredPurchase): string {
  const { purchaseId, sale, userId, quantity, purchasedAtMs } = purchase;
  return JSON.stringify({ purchaseId, sale, userId, quantity, purchasedAtMs });
}
