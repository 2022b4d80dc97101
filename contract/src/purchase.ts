/**
 * A confirmed purchase as the API returns it (`POST /api/sales/{sale}/purchases`: 201, or 200
 * for a replay of the same Idempotency-Key; `GET /api/sales/{sale}/purchases/me`: a list).
 */
export interface Purchase {
  readonly purchaseId: string;
  readonly sale: string;
  readonly userId: string;
  readonly quantity: number;
  /** RFC 3339 UTC, taken from the Redis server clock at the moment of the decision. */
  readonly purchasedAt: string;
  readonly status: 'confirmed';
}

/** The body of `POST /api/sales/{sale}/purchases` (quantity 1-1000, 1 when left out). */
export interface PurchaseRequestBody {
  readonly quantity?: number;
}
