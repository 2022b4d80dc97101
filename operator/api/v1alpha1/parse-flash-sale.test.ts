import { parseFlashSale } from './flash-sale-types.ts';

const fromServer = {
  apiVersion: 'flashsale.io/v1alpha1',
  kind: 'FlashSale',
  metadata: { name: 'drop', namespace: 'shop', generation: 3, resourceVersion: '42' },
  spec: {
    product: { sku: 'SNKR-001', title: 'Sneaker', priceCents: 0 },
    stock: 10,
    perUserLimit: 1,
    startsAt: '2027-01-01T10:00:00Z',
    endsAt: '2027-01-01T10:30:00Z',
  },
};

describe('v1alpha1: parseFlashSale types what the API server returns', () => {
  it('keeps the metadata the operator needs and leaves a missing status missing', () => {
    const sale = parseFlashSale(fromServer);
    expect(sale.metadata).toEqual(
      jasmine.objectContaining({ generation: 3, resourceVersion: '42' }),
    );
    expect(sale.spec.stock).toBe(10);
    expect('status' in sale).toBeFalse();
  });

  it('names every field that disagrees with the schema', () => {
    const stale = {
      ...fromServer,
      spec: { ...fromServer.spec, stock: -5 },
      status: { state: 'Paused' },
    };
    expect(() => parseFlashSale(stale)).toThrowError(
      /shop\/drop does not match the schema: spec\.stock: .*; status\.state: /,
    );
  });

  it('refuses an object without a name and namespace', () => {
    expect(() => parseFlashSale({ spec: fromServer.spec })).toThrowError(/metadata\.name/);
  });
});
