import { Registry } from 'prom-client';
import { registerSaleConfigMetrics, type SaleConfig } from './sale-config-metrics.ts';

describe('sale configuration metrics', () => {
  it('exports every sale start and end (Unix seconds) and stock, read at each scrape', async () => {
    const registry = new Registry();
    let sales: SaleConfig[] = [
      {
        name: 'drop-a',
        stock: 1000,
        startsAt: '2027-06-21T10:00:00.000Z',
        endsAt: '2027-06-21T10:30:00.000Z',
      },
    ];
    registerSaleConfigMetrics(registry, () => Promise.resolve(sales));

    const first = await registry.metrics();
    expect(first).toContain('flashsale_sale_start_timestamp_seconds{sale="drop-a"} 1813572000');
    expect(first).toContain('flashsale_sale_end_timestamp_seconds{sale="drop-a"} 1813573800');
    expect(first).toContain('flashsale_sale_stock_units{sale="drop-a"} 1000');

    sales = [
      { name: 'drop-b', stock: 5, startsAt: new Date(1_000_500), endsAt: new Date(2_000_000) },
    ];
    const second = await registry.metrics();
    expect(second).not.toContain('drop-a');
    expect(second).toContain('flashsale_sale_start_timestamp_seconds{sale="drop-b"} 1000.5');
    expect(second).toContain('flashsale_sale_end_timestamp_seconds{sale="drop-b"} 2000');
    expect(second).toContain('flashsale_sale_stock_units{sale="drop-b"} 5');
  });
});
