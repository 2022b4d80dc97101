import type { SaleState } from '@flashsale/contract';

/** What stands where the Buy button is. */
export type BuyState =
  | { readonly kind: 'buy'; readonly label: string; readonly enabled: boolean }
  | { readonly kind: 'blocked'; readonly reason: string }
  | { readonly kind: 'opens'; readonly startsAt: string }
  | { readonly kind: 'sign_in' };

export interface BuyContext {
  readonly state: SaleState;
  readonly startsAt: string;
  readonly perUserLimit: number;
  readonly signedIn: boolean;
  /** Units this buyer already has in the sale (confirmed purchases). */
  readonly boughtUnits: number;
  /** The last answer was limit_reached. */
  readonly limitAnswered: boolean;
  readonly inFlight: boolean;
  readonly waiting: boolean;
  readonly price: string;
}

function limitReason(limit: number): string {
  return `Limit reached: ${limit} per buyer`;
}

function signedInState(context: BuyContext): BuyState {
  if (context.limitAnswered || context.boughtUnits >= context.perUserLimit) {
    return { kind: 'blocked', reason: limitReason(context.perUserLimit) };
  }
  if (context.inFlight) return { kind: 'buy', label: 'Buying…', enabled: false };
  if (context.waiting) return { kind: 'buy', label: 'Please wait…', enabled: false };
  return { kind: 'buy', label: `Buy now · ${context.price}`, enabled: true };
}

/**
 * The Buy area for one buyer: an upcoming sale shows when it opens, a sold-out or ended
 * sale (or a buyer at their limit) a disabled button that says why, an open sale the button.
 */
export function buyState(context: BuyContext): BuyState {
  switch (context.state) {
    case 'upcoming':
      return { kind: 'opens', startsAt: context.startsAt };
    case 'sold_out':
      return { kind: 'blocked', reason: 'Sold out' };
    case 'ended':
      return { kind: 'blocked', reason: 'This sale has ended' };
    case 'active':
      return context.signedIn ? signedInState(context) : { kind: 'sign_in' };
  }
}
