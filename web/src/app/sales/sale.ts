import type { SaleState } from '@flashsale/contract';

/** What the storefront calls each state (the rule itself is the contract's `saleStateAt`). */
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
