/**
 * What a FlashSale says about a sale (its spec), as the operator and `flashsale sale apply`
 * configure it. Times are absolute instants.
 */
export interface SaleDefinition {
  /** The FlashSale's metadata.name: a DNS label. */
  readonly name: string;
  readonly sku: string;
  readonly title: string;
  readonly priceCents: number;
  /** Optional product picture (https) and plain-text description, for the storefront. */
  readonly imageUrl?: string;
  readonly description?: string;
  readonly stock: number;
  readonly perUserLimit: number;
  readonly startsAt: Date;
  readonly endsAt: Date;
}
