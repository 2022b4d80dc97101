import { orderNumber } from './order-number';

describe('orderNumber', () => {
  it('is the first 8 characters of the purchase id, upper-case, in two groups', () => {
    expect(orderNumber('3f2a9c1e-7b4d-4e8a-9c2f-0d1e2f3a4b5c')).toBe('3F2A-9C1E');
  });

  it('skips separators in the id so that the groups stay four characters long', () => {
    expect(orderNumber('3f2a-9c-1e7b')).toBe('3F2A-9C1E');
  });

  it('keeps a short id whole', () => {
    expect(orderNumber('ab1')).toBe('AB1');
    expect(orderNumber('abcd12')).toBe('ABCD-12');
  });
});
