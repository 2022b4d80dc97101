import { int32Max, parseFlashSaleManifest } from './flash-sale-types.ts';

function manifest(spec: Record<string, unknown>, product: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'flashsale.io/v1alpha1',
    kind: 'FlashSale',
    metadata: { name: 'range-probe' },
    spec: {
      product: { sku: 'RANGE-1', title: 'Range probe', ...product },
      stock: 10,
      startsAt: '2027-03-01T10:00:00Z',
      endsAt: '2027-03-01T10:30:00Z',
      ...spec,
    },
  };
}

describe('v1alpha1: value ranges `flashsale sale apply` accepts', () => {
  it('accepts stock, priceCents and perUserLimit of exactly 2147483647', () => {
    const parsed = parseFlashSaleManifest(
      manifest({ stock: int32Max, perUserLimit: int32Max }, { priceCents: int32Max }),
    );
    expect([parsed.spec.stock, parsed.spec.perUserLimit, parsed.spec.product.priceCents]).toEqual([
      int32Max,
      int32Max,
      int32Max,
    ]);
  });

  const oversized: [string, unknown][] = [
    ['spec.stock', manifest({ stock: int32Max + 1 })],
    ['spec.perUserLimit', manifest({ perUserLimit: 1e12 })],
    ['spec.product.priceCents', manifest({}, { priceCents: int32Max + 1 })],
  ];
  for (const [field, document] of oversized) {
    it(`refuses ${field} past 2147483647, naming the field and the bound`, () => {
      expect(() => parseFlashSaleManifest(document)).toThrowError(
        `invalid FlashSale:\n  ${field}: must be at most 2147483647 (a PostgreSQL integer)`,
      );
    });
  }
});
