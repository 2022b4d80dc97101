/** A confirmed purchase as the API returns it (docs/http-api.md). */
export interface Purchase {
  readonly purchaseId: string;
  readonly sale: string;
  readonly userId: string;
  readonly quantity: number;
  readonly purchasedAt: string;
  readonly status: 'confirmed';
}
