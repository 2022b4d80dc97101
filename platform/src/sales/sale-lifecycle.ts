import type { Sequelize } from 'sequelize';
import { persistedLedger, type PersistedUnit } from '../persistence/purchases-table.ts';
import {
  findSaleIdentity,
  recordOwnedSale,
  releaseSale,
  type SaleIdentity,
} from '../persistence/sales-table.ts';
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
  /** Each purchase once, oldest first. */
  readonly purchases: readonly PersistedUnit[];
}

export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly result: ClaimResult }
  | { readonly kind: 'name_conflict'; readonly owner: string }
  | {
      readonly kind: 'stock_lost';
      /** Undefined when PostgreSQL could not be read, so nothing can be proven. */
      readonly proven: ProvenSales | undefined;
      readonly stock: number;
    };

export interface ApplyOptions {
  readonly generation: number;
  readonly claim: SaleClaim;
  /** Reseed a sale whose keys were lost from what PostgreSQL and the outbox prove sold. */
  readonly reseed: boolean;
  /**
   * The operator's mode: PostgreSQL is best effort, so that an outage does not stop a sale
   * being configured in Redis (where the owner check is atomic anyway). Without PostgreSQL a
   * lost sale is recognised by `configuredBefore` (its status shows it was configured) and
   * refused, as nothing can be proven; rows are written through `writeRow`, which retries.
   */
  readonly bestEffort?: {
    readonly configuredBefore: boolean;
    readonly writeRow: (definition: SaleDefinition, identity: SaleIdentity) => Promise<void>;
  };
}

/** Sums units per user over PostgreSQL rows and outbox purchases, each purchase once. */
export function unitsByUser(
  rows: readonly PersistedUnit[],
  outbox: readonly PersistedUnit[],
): ProvenSales {
  const seen = new Set<string>();
  const units = new Map<string, number>();
  const purchases: PersistedUnit[] = [];
  let total = 0;
  for (const purchase of [...rows, ...outbox]) {
    if (seen.has(purchase.purchaseId)) continue;
    seen.add(purchase.purchaseId);
    units.set(purchase.userId, (units.get(purchase.userId) ?? 0) + purchase.quantity);
    purchases.push(purchase);
    total += purchase.quantity;
  }
  purchases.sort((a, b) => a.purchasedAtMs - b.purchasedAtMs);
  return { units, total, purchases };
}

async function provenSales(records: SaleRecords, name: string, since: Date): Promise<ProvenSales> {
  const ledger = await records.store.ledger(name);
  const rows = await persistedLedger(records.database, name, since);
  return unitsByUser(rows, ledger.outbox);
}

/** The name's owner as the sales table records it; 'unavailable' when best effort failed. */
async function identityOf(
  database: Sequelize,
  name: string,
  bestEffort: boolean,
): Promise<SaleIdentity | undefined | 'unavailable'> {
  try {
    return await findSaleIdentity(database, name);
  } catch (error) {
    if (bestEffort) return 'unavailable';
    throw error;
  }
}

/** Whether the sale was configured before and its keys are gone from Redis. */
async function keysLost(
  store: SaleStore,
  name: string,
  identity: SaleIdentity | 'unavailable',
  bestEffort: ApplyOptions['bestEffort'],
): Promise<boolean> {
  if (identity === 'unavailable' && !bestEffort?.configuredBefore) return false;
  return (await store.read(name)) === undefined;
}

/** How a sale whose keys were lost may be seeded again, or why it may not. */
async function reseedOf(
  records: SaleRecords,
  definition: SaleDefinition,
  identity: SaleIdentity | 'unavailable',
  options: ApplyOptions,
): Promise<ApplyOutcome | { claim: SaleClaim; reseed: SaleReseed }> {
  if (identity === 'unavailable')
    return { kind: 'stock_lost', proven: undefined, stock: definition.stock };
  const proven = await provenSales(records, definition.name, identity.incarnationStartedAt);
  if (!options.reseed) return { kind: 'stock_lost', proven, stock: definition.stock };
  return {
    claim: { owner: options.claim.owner, incarnation: identity.incarnation },
    reseed: {
      incarnationStartedAt: identity.incarnationStartedAt,
      units: proven.units,
      purchases: proven.purchases,
    },
  };
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
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const { store, database } = records;
  const { bestEffort } = options;
  const identity = await identityOf(database, definition.name, bestEffort !== undefined);
  if (typeof identity === 'object' && identity.owner !== options.claim.owner)
    return { kind: 'name_conflict', owner: identity.owner };
  let seed: { claim: SaleClaim; reseed?: SaleReseed } = { claim: options.claim };
  if (identity && (await keysLost(store, definition.name, identity, bestEffort))) {
    const lost = await reseedOf(records, definition, identity, options);
    if ('kind' in lost) return lost;
    seed = lost;
  }
  const result = await store.claim(definition, options.generation, seed.claim, seed.reseed);
  if (result.status === 'not_owner') return { kind: 'name_conflict', owner: result.owner };
  if (result.status !== 'ok') return { kind: 'applied', result };
  const row = {
    owner: seed.claim.owner,
    incarnation: result.incarnation,
    incarnationStartedAt: result.incarnationStartedAt,
  };
  if (!bestEffort) return recordApplied(database, definition, row, result);
  await bestEffort.writeRow(definition, row);
  return { kind: 'applied', result };
}

/** Records a configured sale with its owner (another owner's row is never overwritten). */
async function recordApplied(
  database: Sequelize,
  definition: SaleDefinition,
  identity: SaleIdentity,
  result: ClaimResult,
): Promise<ApplyOutcome> {
  if (await recordOwnedSale(database, definition, identity)) return { kind: 'applied', result };
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
