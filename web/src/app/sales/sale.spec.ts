import { formatPrice, saleStateLabels } from './sale';

describe('sale presentation', () => {
  it('formats cents as dollars', () => {
    expect(formatPrice(12_900)).toBe('$129.00');
  });

  it('names every state for the buyer', () => {
    expect(saleStateLabels).toEqual({
      upcoming: 'Upcoming',
      active: 'On sale now',
      sold_out: 'Sold out',
      ended: 'Ended',
    });
  });
});
