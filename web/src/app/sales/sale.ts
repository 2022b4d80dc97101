/** A sale as the API returns it (docs/http-api.md). */
export type SaleState = 'upcoming' | 'active' | 'sold_out' | 'ended';

export interface Sale {
  readonly name: string;
  readonly title: string;
  readonly sku: string;
  readonly priceCents: number;
  /** Optional (product.imageUrl, an https URL, and product.description, plain text). */
  readonly imageUrl?: string;
  readonly description?: string;
  readonly stock: number;
  readonly remaining: number;
  readonly perUserLimit: number;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly state: SaleState;
  readonly serverTime: string;
}

/**
 * The state at `serverNow`, by the same rule the API applies: the page flips from
 * upcoming to active (or active to ended) on time, before the next event confirms it.
 */
export function saleStateAt(sale: Sale, serverNow: number): SaleState {
  if (serverNow >= Date.parse(sale.endsAt)) return 'ended';
  if (sale.remaining <= 0) return 'sold_out';
  if (serverNow < Date.parse(sale.startsAt)) return 'upcoming';
  return 'active';
}

export const saleStateLabels: Readonly<Record<SaleState, string>> = {
  upcoming: 'Upcoming',
  active: 'On sale now',
  sold_out: 'Sold out',
  ended: 'Ended',
};

const priceFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export function formatPrice(priceCents: number): string {
  return priceFormat.format(priceCents / 100);
}
