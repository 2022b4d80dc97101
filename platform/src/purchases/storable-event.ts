import { z } from 'zod';
import type { PurchaseEvent } from './purchase.ts';

/** Largest value of a PostgreSQL `integer` column (int32). */
export const int32Max = 2_147_483_647;

/**
 * A purchase event the purchases table can hold: the contract's fields and no others, each
 * within what its column stores. The relay checks each outbox entry against it before
 * sending, and the persister each message before writing, so an event that could never be
 * stored is dead-lettered instead of being retried for ever (docs/data-path.md).
 */
export const storableEventSchema = z
  .object({
    eventId: z.string().min(1).max(64),
    purchaseId: z.string().min(1).max(64),
    sale: z.string().min(1).max(63),
    userId: z.string().min(1).max(128),
    quantity: z.number().int().min(1).max(int32Max),
    purchasedAt: z.iso.datetime(),
    status: z.literal('confirmed'),
  })
  .strict()
  .refine((event) => event.eventId === event.purchaseId, {
    message: 'eventId must equal purchaseId',
  })
  .refine((event) => !Object.values(event).some((field) => String(field).includes('\0')), {
    // PostgreSQL text cannot hold NUL.
    message: 'the event contains a NUL character',
  });

/** The event, or why it cannot be stored (a few hundred characters at most). */
export type StorableCheck =
  | { readonly ok: true; readonly event: PurchaseEvent }
  | { readonly ok: false; readonly reason: string };

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
    .join('; ')
    .slice(0, 500);
}

/** Checks a decoded value (already parsed JSON). */
export function checkStorableEvent(value: unknown): StorableCheck {
  const result = storableEventSchema.safeParse(value);
  return result.success
    ? { ok: true, event: result.data }
    : { ok: false, reason: describeIssues(result.error) };
}

/** Checks the JSON text of an event, as it travels on the purchases topic. */
export function checkStorableEventJson(text: string): StorableCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message.slice(0, 200)}` };
  }
  return checkStorableEvent(value);
}
