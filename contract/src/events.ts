import type { Sale } from './sale.ts';

/**
 * `GET /api/sales/{sale}/events` sends Server-Sent Events of this name, each with the whole
 * sale as JSON in `data` (docs/http-api.md, "Server-Sent Events").
 */
export const saleEventName = 'sale';
export type SaleEventData = Sale;
