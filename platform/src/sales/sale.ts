import type { SaleDefinition } from './sale-definition.ts';
import { saleState, type SaleState } from './sale-state.ts';

/** A sale as the API returns it (docs/http-api.md). */
export interface Sale {
  readonly name: string;
  readonly title: string;
  readonly sku: string;
  readonly priceCents: number;
  /** Present only when the FlashSale sets them (product.imageUrl, product.description). */
  readonly imageUrl?: string;
  readonly description?: string;
  readonly stock: number;
  readonly remaining: number;
  readonly perUserLimit: number;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly state: SaleState;
  readonly serverTime: string;
}

export function toSale(definition: SaleDefinition, remaining: number, serverTime: Date): Sale {
  return {
    name: definition.name,
    title: definition.title,
    sku: definition.sku,
    priceCents: definition.priceCents,
    ...(definition.imageUrl ? { imageUrl: definition.imageUrl } : {}),
    ...(definition.description ? { description: definition.description } : {}),
    stock: definition.stock,
    remaining,
    perUserLimit: definition.perUserLimit,
    startsAt: definition.startsAt.toISOString(),
    endsAt: definition.endsAt.toISOString(),
    state: saleState(definition, remaining, serverTime),
    serverTime: serverTime.toISOString(),
  };
}
