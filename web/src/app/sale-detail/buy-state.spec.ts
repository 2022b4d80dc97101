import { type BuyContext, buyState } from './buy-state';

describe('buyState', () => {
  const open: BuyContext = {
    state: 'active',
    startsAt: '2030-01-01T10:00:00.000Z',
    perUserLimit: 2,
    signedIn: true,
    boughtUnits: 0,
    limitAnswered: false,
    inFlight: false,
    waiting: false,
    price: '$129.00',
  };

  it('offers Buy with the price on an open sale', () => {
    expect(buyState(open)).toEqual({ kind: 'buy', label: 'Buy now · $129.00', enabled: true });
  });

  it('disables Buy while a request is in flight or the shop asked to wait', () => {
    expect(buyState({ ...open, inFlight: true })).toEqual({
      kind: 'buy',
      label: 'Buying…',
      enabled: false,
    });
    expect(buyState({ ...open, waiting: true })).toEqual({
      kind: 'buy',
      label: 'Please wait…',
      enabled: false,
    });
  });

  it('says the limit is reached once the buyer has their limit, or the shop said so', () => {
    const blocked = { kind: 'blocked', reason: 'Limit reached: 2 per buyer' } as const;
    expect(buyState({ ...open, boughtUnits: 1 }).kind).toBe('buy');
    expect(buyState({ ...open, boughtUnits: 2 })).toEqual(blocked);
    expect(buyState({ ...open, limitAnswered: true })).toEqual(blocked);
  });

  it('says sold out or ended, whoever looks', () => {
    for (const signedIn of [true, false]) {
      expect(buyState({ ...open, signedIn, state: 'sold_out' })).toEqual({
        kind: 'blocked',
        reason: 'Sold out',
      });
      expect(buyState({ ...open, signedIn, state: 'ended' })).toEqual({
        kind: 'blocked',
        reason: 'This sale has ended',
      });
    }
  });

  it('shows when an upcoming sale opens instead of a button', () => {
    expect(buyState({ ...open, state: 'upcoming' })).toEqual({
      kind: 'opens',
      startsAt: '2030-01-01T10:00:00.000Z',
    });
  });

  it('asks a signed-out visitor to sign in on an open sale', () => {
    expect(buyState({ ...open, signedIn: false })).toEqual({ kind: 'sign_in' });
  });
});
