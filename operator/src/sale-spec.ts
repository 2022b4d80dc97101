import { flashSaleSpecSchema } from '../api/v1alpha1/index.ts';
import type { CapacityRequest } from './capacity.ts';
import { objectKey, type FlashSaleObject } from './flash-sale-api.ts';

/**
 * A FlashSale's capacity request, when its spec is valid, asks for capacity and the sale is
 * not being deleted (a sale on its way out no longer holds the fleet up).
 */
export function capacityRequestOf(sale: FlashSaleObject): CapacityRequest | undefined {
  if (sale.metadata.deletionTimestamp) return undefined;
  const parsed = flashSaleSpecSchema.safeParse(sale.spec);
  if (!parsed.success || !parsed.data.capacity) return undefined;
  const { startsAt, endsAt, capacity } = parsed.data;
  return {
    key: objectKey(sale.metadata.namespace, sale.metadata.name),
    minReplicas: capacity.minReplicas,
    window: {
      startsAt: new Date(startsAt),
      endsAt: new Date(endsAt),
      warmupSeconds: capacity.warmupSeconds,
    },
  };
}
