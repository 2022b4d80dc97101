export type SaleState = 'upcoming' | 'active' | 'sold_out' | 'ended';

/** The state a buyer sees, from the sale's window, what is left, and the server's clock. */
export function saleState(
  window: { startsAt: Date; endsAt: Date },
  remaining: number,
  now: Date,
): SaleState {
  if (now.getTime() >= window.endsAt.getTime()) return 'ended';
  if (remaining <= 0) return 'sold_out';
  if (now.getTime() < window.startsAt.getTime()) return 'upcoming';
  return 'active';
}
