import type { Message } from 'kafkajs';
import { purchaseFromStored } from '../purchases/purchase-decider.ts';
import type { PurchaseEvent } from '../purchases/purchase.ts';
import { checkStorableEvent } from '../purchases/storable-event.ts';

/** An entry of a sale's outbox stream; a deleted entry still pending has no fields. */
export type StreamEntry = [id: string, fields: string[] | null];

export function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] === name) return fields[index + 1];
  }
  return undefined;
}

export type EntryCheck =
  | { readonly ok: true; readonly event: PurchaseEvent }
  | { readonly ok: false; readonly reason: string };

/**
 * The purchase event an outbox entry carries, or why it carries none the persister could
 * store: the entry was not written by the purchase script, or was damaged since.
 */
export function eventOfEntry(sale: string, fields: readonly string[]): EntryCheck {
  const stored = fieldOf(fields, 'purchase');
  if (stored === undefined) return { ok: false, reason: 'the entry has no purchase field' };
  let purchase;
  try {
    purchase = purchaseFromStored(stored);
  } catch (error) {
    return { ok: false, reason: `unreadable purchase: ${(error as Error).message.slice(0, 200)}` };
  }
  const check = checkStorableEvent({ eventId: purchase.purchaseId, ...purchase });
  if (check.ok && check.event.sale !== sale) {
    return { ok: false, reason: `the purchase belongs to sale ${check.event.sale}` };
  }
  return check;
}

/** Per-record overhead in a Kafka record batch (varint lengths, offsets, attributes), rounded up. */
const recordOverheadBytes = 64;
/** The record batch header, rounded up. */
export const batchOverheadBytes = 256;

/** Bytes a message takes in a record batch, slightly overestimated. */
export function messageBytes(message: Message): number {
  let bytes = recordOverheadBytes;
  bytes += message.key ? Buffer.byteLength(message.key) : 0;
  bytes += message.value ? Buffer.byteLength(message.value) : 0;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + 10;
    if (typeof value === 'string' || Buffer.isBuffer(value)) bytes += Buffer.byteLength(value);
  }
  return bytes;
}

/**
 * Splits items, in order, into groups whose messages fit one record batch of at most
 * `maxBatchBytes`. An item too large for any batch is not placed in a group but returned in
 * `oversized`.
 */
export function splitBySize<T extends { readonly bytes: number }>(
  items: readonly T[],
  maxBatchBytes: number,
): { groups: T[][]; oversized: T[] } {
  const budget = maxBatchBytes - batchOverheadBytes;
  const groups: T[][] = [];
  const oversized: T[] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    if (item.bytes > budget) {
      oversized.push(item);
      continue;
    }
    if (used + item.bytes > budget && current.length > 0) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += item.bytes;
  }
  if (current.length > 0) groups.push(current);
  return { groups, oversized };
}
