import { saleState, type Sale } from '@flashsale/contract';
import type { SaleDefinition } from './sale-definition.ts';

/** The contract's Sale (docs/http-api.md) for a definition, what remains and the server's clock. */
export function toSale(definition: SaleDefinition, remaining: number, serverTime: Date): Sale {
  const facts = {
    startsAtMs: definition.startsAt.getTime(),
    endsAtMs: definition.endsAt.getTime(),
    remaining,
  };
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
    state: saleState(facts, serverTime.getTime()),
    serverTime: serverTime.toISOString(),
  };
}
