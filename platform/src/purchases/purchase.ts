import type { Purchase } from '@flashsale/contract';
import { z } from 'zod';

/**
 * The event streamed to Kafka topic `flashsale.purchases` (key = sale name): the purchase
 * plus an `eventId`. There is one event per purchase, so `eventId` equals `purchaseId`; the
 * persister's primary key on `purchase_id` turns at-least-once delivery into exactly-once rows.
 * W3C `traceparent` travels in the message headers, not in the value.
 */
export interface PurchaseEvent extends Purchase {
  readonly eventId: string;
}

export const purchaseEventSchema = z.object({
  eventId: z.string().min(1).max(64),
  purchaseId: z.string().min(1).max(64),
  sale: z.string().min(1).max(63),
  userId: z.string().min(1).max(128),
  quantity: z.number().int().min(1),
  purchasedAt: z.iso.datetime(),
  status: z.literal('confirmed'),
});

export function parsePurchaseEvent(value: string): PurchaseEvent {
  return purchaseEventSchema.parse(JSON.parse(value));
}
