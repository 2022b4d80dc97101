import type { Sale } from '@flashsale/contract';
import type { SaleVerification } from '@flashsale/platform';

/** What `sale apply` reports (docs/cli.md). */
export interface AppliedSale {
  readonly sale: string;
  readonly status: 'ok';
  readonly sold: number;
  readonly remaining: number;
  readonly generation: number;
  readonly owner: string;
  readonly incarnation: string;
}

/** What `sale delete` reports once the sale is gone. */
export interface RemovedSale {
  readonly sale: string;
  readonly status: 'removed';
  /** Redis keys removed. */
  readonly keys: number;
}

const price = (cents: number): string => (cents / 100).toFixed(2);

/** `sale status NAME` for people. */
export function formatSale(sale: Sale): string {
  return [
    `${sale.name}: ${sale.title} (${sale.sku})`,
    `  state:        ${sale.state}`,
    `  price:        ${price(sale.priceCents)}`,
    `  stock:        ${sale.stock} (${sale.remaining} remaining)`,
    `  per user:     ${sale.perUserLimit}`,
    `  window:       ${sale.startsAt} → ${sale.endsAt}`,
    `  server time:  ${sale.serverTime}`,
  ].join('\n');
}

/** Left-aligned columns, two spaces apart. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_, index) =>
    Math.max(...rows.map((row) => (row[index] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, index) => cell.padEnd(widths[index] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `sale list` for people: one line a sale. */
export function formatSaleList(sales: readonly Sale[]): string {
  if (sales.length === 0) return 'no sales';
  return table([
    ['NAME', 'STATE', 'STOCK', 'REMAINING', 'STARTS', 'ENDS'],
    ...sales.map((sale) => [
      sale.name,
      sale.state,
      String(sale.stock),
      String(sale.remaining),
      sale.startsAt,
      sale.endsAt,
    ]),
  ]);
}

/** `sale verify NAME` for people: the verdict first, then the figures and every problem. */
export function formatVerification(name: string, result: SaleVerification): string {
  const lines = [
    `${name}: ${result.consistent ? 'consistent' : 'NOT consistent'}`,
    `  stock ${result.stock}  sold ${result.sold}  remaining ${result.remaining}  outbox pending ${result.outboxPending}  persisted ${result.persisted}`,
    `  incarnation ${result.incarnation} (since ${result.incarnationStartedAt})`,
  ];
  if (result.problems.length > 0)
    lines.push('  problems:', ...result.problems.map((problem) => `    - ${problem}`));
  return lines.join('\n');
}

export function formatApplied(applied: AppliedSale): string {
  return `${applied.sale}: applied (generation ${applied.generation}, owner ${applied.owner}); sold ${applied.sold}, remaining ${applied.remaining}`;
}

export function formatRemoved(removed: RemovedSale): string {
  return `${removed.sale}: removed (${removed.keys} Redis keys; its purchases stay in PostgreSQL)`;
}
