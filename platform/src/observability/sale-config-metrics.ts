import { Gauge, type Registry } from 'prom-client';

/** What the dashboards need of a sale's configuration (the contract in docs/metrics.md). */
export interface SaleConfig {
  readonly name: string;
  readonly stock: number;
  readonly startsAt: string | Date;
  readonly endsAt: string | Date;
}

const unixSeconds = (instant: string | Date): number => new Date(instant).getTime() / 1000;

const gauges: readonly {
  name: string;
  help: string;
  value: (sale: SaleConfig) => number;
}[] = [
  {
    name: 'flashsale_sale_start_timestamp_seconds',
    help: 'When a sale opens, in Unix seconds',
    value: (sale) => unixSeconds(sale.startsAt),
  },
  {
    name: 'flashsale_sale_end_timestamp_seconds',
    help: 'When a sale closes, in Unix seconds',
    value: (sale) => unixSeconds(sale.endsAt),
  },
  {
    name: 'flashsale_sale_stock_units',
    help: 'Units a sale offers in all (sold = this minus flashsale_stock_remaining)',
    value: (sale) => sale.stock,
  },
];

/**
 * Gauges of every configured sale's start, end and stock, read from `sales` at every scrape:
 * the dashboards draw sale start and end annotations and count confirmed units from them.
 */
export function registerSaleConfigMetrics(
  registry: Registry,
  sales: () => Promise<readonly SaleConfig[]>,
): void {
  for (const gauge of gauges) {
    new Gauge({
      name: gauge.name,
      help: gauge.help,
      labelNames: ['sale'],
      registers: [registry],
      async collect() {
        const all = await sales();
        this.reset();
        for (const sale of all) this.set({ sale: sale.name }, gauge.value(sale));
      },
    });
  }
}
