/** Where a sale is in its life, as a buyer sees it (docs/http-api.md, "Sale state"). */
export const saleStates = ['upcoming', 'active', 'sold_out', 'ended'] as const;
export type SaleState = (typeof saleStates)[number];

/** A sale as the API returns it (`GET /api/sales`, `GET /api/sales/{sale}`, `event: sale`). */
export interface Sale {
  readonly name: string;
  readonly title: string;
  readonly sku: string;
  readonly priceCents: number;
  /** Present only when the FlashSale sets them (product.imageUrl, an https URL, and product.description, plain text). */
  readonly imageUrl?: string;
  readonly description?: string;
  readonly stock: number;
  readonly remaining: number;
  readonly perUserLimit: number;
  /** RFC 3339 UTC. */
  readonly startsAt: string;
  readonly endsAt: string;
  readonly state: SaleState;
  /** The Redis server's clock when the sale was read (RFC 3339 UTC). */
  readonly serverTime: string;
}

/** What the state depends on: the window (epoch milliseconds) and the units left. */
export interface SaleFacts {
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly remaining: number;
}

/**
 * The state at `nowMs`, in the order the purchase decision (purchase-decision.lua) checks
 * them: before the start it is upcoming (even with nothing left: stock may still be raised),
 * from the end on it is ended, else sold out once nothing remains, else active. The start is
 * inside the window, the end is not.
 */
export function saleState(facts: SaleFacts, nowMs: number): SaleState {
  if (nowMs < facts.startsAtMs) return 'upcoming';
  if (nowMs >= facts.endsAtMs) return 'ended';
  if (facts.remaining <= 0) return 'sold_out';
  return 'active';
}

/**
 * The state of a sale as the API sent it, at `nowMs` on the server's clock: a page can flip
 * from upcoming to active (or active to ended) on time, before the next event confirms it.
 */
export function saleStateAt(sale: Sale, nowMs: number): SaleState {
  return saleState(
    {
      startsAtMs: Date.parse(sale.startsAt),
      endsAtMs: Date.parse(sale.endsAt),
      remaining: sale.remaining,
    },
    nowMs,
  );
}
