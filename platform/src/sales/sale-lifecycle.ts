import type { Sequelize } from 'sequelize';
import { persistedLedger, type PersistedUnit } from '../persistence/purchases-table.ts';
import { findSaleIdentity, recordOwnedSale, releaseSale } from '../persistence/sales-table.ts';
import type { SaleDefinition } from './sale-definition.ts';
import type { ClaimResult, SaleClaim, SaleReseed, SaleStore } from './sale-store.ts';

/*
 * How a sale is claimed, reseeded and deleted, for the operator and the CLI alike.
 * The rules are in docs/sale-lifecycle.md.
 */

export interface SaleRecords {
  readonly store: SaleStore;
  readonly database: Sequelize;
}

/** What the stores prove a lost (or live) incarnation sold: PostgreSQL rows plus the outbox. */
export interface ProvenSales {
  readonly units: ReadonlyMap<string, number>;
  readonly total: number;
}

export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly result: ClaimResult }
  | { readonly kind: 'name_conflict'; readonly owner: string }
  | { readonly kind: 'stock_lost'; readonly proven: ProvenSales; readonly stock: number };

/** Sums units per user over PostgreSQL rows and outbox purchases, each purchase once. */
export function unitsByUser(
  rows: readonly PersistedUnit[],
  outbox: readonly PersistedUnit[],
): ProvenSales {
  const seen = new Set<string>();
  const units = new Map<string, number>();
  let total = 0;
  for (const purchase of [...rows, ...outbox]) {
    if (seen.has(purchase.purchaseId)) continue;
    seen.add(purchase.purchaseId);
    units.set(purchase.userId, (units.get(purchase.userId) ?? 0) + purchase.quantity);
    total += purchase.quantity;
  }
  return { units, total };
}

async function provenSales(records: SaleRecords, name: string, since: Date): Promise<ProvenSales> {
  const ledger = await records.store.ledger(name);
  const rows = await persistedLedger(records.database, name, since);
  return unitsByUser(rows, ledger.outbox);
}

/**
 * Configures a sale on behalf of `claim.owner`. A name another owner holds (in Redis or in
 * the sales table) is refused before anything changes. A sale its owner configured before
 * whose keys are gone from Redis is not seeded afresh: it is reseeded from what PostgreSQL
 * and the outbox prove was sold when `reseed` allows it, and refused as `stock_lost` otherwise.
 */
export async function applyOwnedSale(
  records: SaleRecords,
  definition: SaleDefinition,
  options: { readonly generation: number; readonly claim: SaleClaim; readonly reseed: boolean },
): Promise<ApplyOutcome> {
  const { store, database } = records;
  const identity = await findSaleIdentity(database, definition.name);
  if (identity && identity.owner !== options.claim.owner)
    return { kind: 'name_conflict', owner: identity.owner };
  let claim = options.claim;
  let reseed: SaleReseed | undefined;
  if (identity && !(await store.read(definition.name))) {
    const proven = await provenSales(records, definition.name, identity.incarnationStartedAt);
    if (!options.reseed) return { kind: 'stock_lost', proven, stock: definition.stock };
    reseed = { incarnationStartedAt: identity.incarnationStartedAt, units: proven.units };
    claim = { owner: claim.owner, incarnation: identity.incarnation };
  }
  const result = await store.claim(definition, options.generation, claim, reseed);
  if (result.status === 'not_owner') return { kind: 'name_conflict', owner: result.owner };
  if (result.status === 'ok') return recordApplied(database, definition, claim.owner, result);
  return { kind: 'applied', result };
}

/** Records a configured sale with its owner (another owner's row is never overwritten). */
async function recordApplied(
  database: Sequelize,
  definition: SaleDefinition,
  owner: string,
  result: ClaimResult,
): Promise<ApplyOutcome> {
  const recorded = await recordOwnedSale(database, definition, {
    owner,
    incarnation: result.incarnation,
    incarnationStartedAt: result.incarnationStartedAt,
  });
  if (recorded) return { kind: 'applied', result };
  const holder = (await findSaleIdentity(database, definition.name))?.owner ?? 'unknown';
  return { kind: 'name_conflict', owner: holder };
}

export type DeletionStep =
  | { readonly status: 'not_owner'; readonly owner: string }
  | { readonly status: 'draining'; readonly length: number; readonly pending: number }
  | { readonly status: 'removed'; readonly keys: number };

/**
 * One step of deleting a sale, safe to repeat: stop it (atomically: no purchase is accepted
 * after this), then, once its outbox is fully relayed (no entry left, none in flight), remove
 * its keys and give its name back. Until then it answers `draining`.
 * `owner` '' deletes whoever owns the sale; another owner's sale is left alone.
 */
export async function deleteSaleStep(
  records: SaleRecords,
  name: string,
  owner: string,
): Promise<DeletionStep> {
  const identity = owner === '' ? undefined : await findSaleIdentity(records.database, name);
  if (identity && identity.owner !== owner) return { status: 'not_owner', owner: identity.owner };
  const stopped = await records.store.stop(name, owner);
  if (stopped.status === 'not_owner') return { status: 'not_owner', owner: stopped.owner };
  const backlog = await records.store.outboxBacklog(name);
  if (backlog.length > 0 || backlog.pending > 0) return { status: 'draining', ...backlog };
  const keys = await records.store.remove(name);
  await releaseSale(records.database, name, owner === '' ? undefined : owner);
  return { status: 'removed', keys };
}
