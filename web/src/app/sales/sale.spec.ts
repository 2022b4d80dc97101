import { saleFixture } from '../../testing/fixtures';
import { formatPrice, saleStateAt } from './sale';

describe('saleStateAt', () => {
  const start = Date.parse('2030-01-01T10:00:00.000Z');
  const end = Date.parse('2030-01-01T10:30:00.000Z');

  it('is upcoming before the start and active from the start', () => {
    expect(saleStateAt(saleFixture(), start - 1)).toBe('upcoming');
    expect(saleStateAt(saleFixture(), start)).toBe('active');
  });

  it('is sold out when nothing remains, and ended from the end whatever remains', () => {
    expect(saleStateAt(saleFixture({ remaining: 0 }), start + 1)).toBe('sold_out');
    expect(saleStateAt(saleFixture({ remaining: 0 }), end)).toBe('ended');
    expect(saleStateAt(saleFixture(), end)).toBe('ended');
  });

  it('formats cents as dollars', () => {
    expect(formatPrice(12_900)).toBe('$129.00');
  });
});
