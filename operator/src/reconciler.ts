import type { Sequelize } from 'sequelize';
import type { Logger } from '@flashsale/runtime';
import {
  definitionFromManifest,
  flashSaleManifestSchema,
  type FlashSaleManifest,
} from '../api/v1alpha1/index.ts';
import {
  applyOwnedSale,
  deleteSaleStep,
  persistedUnits,
  type ApplyOutcome,
} from '@flashsale/platform';
import type { SaleClaim, SaleStore } from '@flashsale/platform';
import { capacityCondition, type CapacityController } from './capacity.ts';
import type { ServerClock } from './clock.ts';
import {
  cleanupFinalizer,
  statusCodeOf,
  type FlashSaleApi,
  type FlashSaleObject,
} from './flash-sale-api.ts';
import type { EventRecorder } from './events.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import { SalesRows } from './sales-rows.ts';
import { capacityRequestOf } from './sale-spec.ts';
import { flashSaleState, requeueDelayMs } from './sale-state.ts';
import { Reason } from './conditions.ts';
import {
  deletingStatus,
  desiredStatus,
  drainingEvent,
  sameStatus,
  statusEvents,
  stockAlreadyConfigured,
  type OutboxBacklog,
  type SaleObservation,
} from './status.ts';

export interface ReconcileOutcome {
  readonly result: 'success' | 'conflict';
  readonly requeueAfterMs?: number;
}

export interface ReconcilerDeps {
  readonly api: FlashSaleApi;
  /** The informer's copy of a FlashSale by `namespace/name`. */
  readonly cached: (key: string) => FlashSaleObject | undefined;
  readonly store: SaleStore;
  readonly database: Sequelize;
  readonly events: EventRecorder;
  readonly capacity: CapacityController;
  readonly activeRefreshMs: number;
  readonly logger: Logger;
  /** Redis's clock, advanced locally between reads: sale windows are judged on it. */
  readonly serverClock: ServerClock;
  readonly metrics: Pick<OperatorMetrics, 'statusWrites' | 'storageErrors'>;
}

type Observed = Omit<SaleObservation, 'capacity'>;

const done: ReconcileOutcome = { result: 'success' };
/** Past the reconcile's deadline no further step starts. */
const stopIfAborted = (signal: AbortSignal | undefined): void => signal?.throwIfAborted();
/** A 409 means our copy is older than the server's; the watch brings the new one shortly. */
const conflict: ReconcileOutcome = { result: 'conflict', requeueAfterMs: 250 };
/** How often a deletion looks at the outbox it waits for. */
const drainCheckMs = 1000;
/** How often a refused sale (name taken, stock lost) looks again. */
const refusedRetryMs = 10_000;

/** Annotation with which a person allows reseeding a sale whose Redis keys were lost. */
export const reseedAnnotation = 'flashsale.io/reseed';
export const reseedFromDatabase = 'from-database';

/** The owner of a FlashSale's sale name: its namespace and uid (a new object, a new uid). */
export function claimOf(sale: FlashSaleObject): SaleClaim {
  const uid = sale.metadata.uid ?? '';
  return { owner: `${sale.metadata.namespace}/${uid}`, incarnation: uid };
}

/** What applying a sale answered, as the status sees it. */
function observedApply(
  outcome: ApplyOutcome,
  stock: number,
): Pick<SaleObservation, 'configured' | 'refusal'> {
  if (outcome.kind === 'applied') {
    const { status, sold } = outcome.result;
    return { configured: { status: status === 'deleting' ? 'stale' : status, sold, stock } };
  }
  if (outcome.kind === 'name_conflict')
    return {
      refusal: {
        reason: Reason.NameConflict,
        message: `the sale name is already owned by ${outcome.owner} (sale names are unique across namespaces); nothing was configured: rename this FlashSale`,
      },
    };
  return { refusal: { reason: Reason.StockLost, message: stockLostMessage(outcome) } };
}

function stockLostMessage(outcome: Extract<ApplyOutcome, { kind: 'stock_lost' }>): string {
  const { proven, stock } = outcome;
  const lost = "the sale's keys are gone from Redis";
  if (!proven)
    return `${lost} and PostgreSQL cannot be read, so what was sold cannot be proven; nothing was reseeded`;
  return (
    `${lost}; PostgreSQL and the outbox prove ${proven.total} of ${stock} units sold to ${proven.units.size} buyers. ` +
    `Nothing was reseeded. Once every purchase has reached PostgreSQL, annotate ${reseedAnnotation}=${reseedFromDatabase} to reseed ${Math.max(stock - proven.total, 0)} units`
  );
}

/**
 * Brings one FlashSale's world in line with its spec, from what is — never from the event
 * that woke us: get → gone means done → finalizer → deletion → configure → status. Every step
 * is idempotent, so running it twice, after a restart or on another replica changes nothing.
 *
 * The Redis sale name is metadata.name alone (it is the public sale name in the API), so a
 * name belongs to the first FlashSale (namespace/uid) that configured it; another namespace's
 * FlashSale of that name is refused (docs/sale-lifecycle.md).
 */
export class FlashSaleReconciler {
  private readonly salesRows: SalesRows;

  constructor(private readonly deps: ReconcilerDeps) {
    this.salesRows = new SalesRows(deps.database, deps.logger, () =>
      deps.metrics.storageErrors.inc({ store: 'postgresql' }),
    );
  }

  /** A new leadership term: nothing this replica wrote before is taken for granted. */
  startTerm(): void {
    this.salesRows.reset();
  }

  /**
   * `signal` aborts when the reconcile overran its deadline: no further step is started
   * (each Redis, PostgreSQL and Kubernetes call carries its own timeout as well).
   */
  async reconcile(key: string, signal?: AbortSignal): Promise<ReconcileOutcome> {
    let sale = this.deps.cached(key);
    if (!sale) return done;
    try {
      stopIfAborted(signal);
      if (sale.metadata.deletionTimestamp) return await this.finalize(sale);
      if (!sale.metadata.finalizers?.includes(cleanupFinalizer)) {
        sale = await this.deps.api.setFinalizers(sale, [
          ...(sale.metadata.finalizers ?? []),
          cleanupFinalizer,
        ]);
      }
      stopIfAborted(signal);
      return await this.configure(sale, signal);
    } catch (error) {
      if (statusCodeOf(error) === 409) return conflict;
      if (statusCodeOf(error) === 404) return done;
      throw new Error(`reconciling FlashSale ${key} failed`, { cause: error });
    }
  }

  /**
   * Deletion: stop the sale (atomically, no purchase after that), wait until its outbox has
   * reached Kafka, then drop its Redis keys and let Kubernetes forget it. Another owner's
   * sale of the same name is left alone.
   */
  private async finalize(sale: FlashSaleObject): Promise<ReconcileOutcome> {
    const finalizers = sale.metadata.finalizers ?? [];
    if (!finalizers.includes(cleanupFinalizer)) return done;
    const records = { store: this.deps.store, database: this.deps.database };
    const step = await deleteSaleStep(records, sale.metadata.name, claimOf(sale).owner);
    if (step.status === 'draining') return this.reportDraining(sale, step);
    this.deps.logger.info({ sale: sale.metadata.name, ...step }, 'sale removed from Redis');
    await this.deps.api.setFinalizers(
      sale,
      finalizers.filter((finalizer) => finalizer !== cleanupFinalizer),
    );
    return done;
  }

  private async reportDraining(
    sale: FlashSaleObject,
    backlog: OutboxBacklog,
  ): Promise<ReconcileOutcome> {
    const generation = sale.metadata.generation ?? 0;
    const next = deletingStatus(sale.status, backlog, generation, this.deps.serverClock.now());
    if (!sameStatus(sale.status, next)) {
      await this.deps.api.writeStatus(sale, next);
      this.deps.metrics.statusWrites.inc();
      for (const event of drainingEvent(sale.status, backlog))
        await this.deps.events.record(sale, event);
    }
    return { result: 'success', requeueAfterMs: drainCheckMs };
  }

  private async configure(sale: FlashSaleObject, signal?: AbortSignal): Promise<ReconcileOutcome> {
    const generation = sale.metadata.generation ?? 0;
    const parsed = flashSaleManifestSchema.safeParse({
      apiVersion: sale.apiVersion,
      kind: sale.kind,
      metadata: { name: sale.metadata.name },
      spec: sale.spec,
    });
    if (!parsed.success) {
      const invalidSpec = parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      const levels = await this.observeLevels(sale);
      const observed = { generation, invalidSpec, ...(levels ? { levels } : {}) };
      return this.writeStatus(sale, observed, undefined, signal);
    }
    const applied = await this.applyStock(sale, parsed.data, generation);
    if (applied.configured?.status === 'stale') return done;
    if (applied.refusal) {
      // Nothing of another owner's sale (or of a lost one) is read into this status.
      await this.writeStatus(sale, { generation, ...applied }, undefined, signal);
      return { result: 'success', requeueAfterMs: refusedRetryMs };
    }
    const levels = await this.observeLevels(sale);
    const observed: Observed = {
      generation,
      ...applied,
      ...(levels ? { levels } : {}),
    };
    return this.writeStatus(sale, observed, parsed.data, signal);
  }

  /**
   * Configures Redis (and the sales table) unless this generation is already there.
   * Skipping matters: every configure publishes a change that makes each API process drop
   * its sold-out cache, and the 5 s refresh of an active sale must not do that.
   */
  private async applyStock(
    sale: FlashSaleObject,
    manifest: FlashSaleManifest,
    generation: number,
  ): Promise<Pick<SaleObservation, 'configured' | 'refusal'>> {
    const definition = definitionFromManifest(manifest);
    if (
      stockAlreadyConfigured(sale.status, generation) &&
      (await this.deps.store.read(definition.name))
    ) {
      await this.salesRows.ensure(definition);
      return {};
    }
    const records = { store: this.deps.store, database: this.deps.database };
    const outcome = await applyOwnedSale(records, definition, {
      generation,
      claim: claimOf(sale),
      reseed: sale.metadata.annotations?.[reseedAnnotation] === reseedFromDatabase,
      bestEffort: {
        configuredBefore: sale.status?.stock !== undefined,
        writeRow: (row, identity) => this.salesRows.write(row, identity),
      },
    });
    return observedApply(outcome, definition.stock);
  }

  /**
   * Redis's figures, and `persisted` from PostgreSQL at best effort: while PostgreSQL is
   * down the last known figure stays and the rest of the status is still written. The
   * read also brings Redis's clock, which the sale's time boundaries are judged on.
   * `persisted` counts the sale's current incarnation only (docs/sale-lifecycle.md).
   */
  private async observeLevels(object: FlashSaleObject): Promise<SaleObservation['levels']> {
    const { name } = object.metadata;
    const since = await this.deps.store.incarnationStartedAt(name);
    const [sale, levels, persisted] = await Promise.all([
      this.deps.store.read(name),
      this.deps.store.levels(name),
      this.persistedUnits(name, since),
    ]);
    if (sale) this.deps.serverClock.observe(new Date(sale.serverTime));
    if (!sale || !levels) return undefined;
    return {
      state: flashSaleState(sale.state),
      stock: levels.stock,
      sold: levels.sold,
      remaining: levels.remaining,
      persisted: persisted ?? object.status?.persisted ?? 0,
    };
  }

  private async persistedUnits(name: string, since?: Date): Promise<number | undefined> {
    try {
      return await persistedUnits(this.deps.database, name, since);
    } catch (error) {
      this.deps.metrics.storageErrors.inc({ store: 'postgresql' });
      this.deps.logger.warn(
        { sale: name, err: error instanceof Error ? error.message : String(error) },
        'reading the persisted units failed; keeping the last known figure',
      );
      return undefined;
    }
  }

  private async writeStatus(
    sale: FlashSaleObject,
    observed: Observed,
    manifest: FlashSaleManifest | undefined,
    signal: AbortSignal | undefined,
  ): Promise<ReconcileOutcome> {
    const now = this.deps.serverClock.now();
    const capacity = capacityCondition(capacityRequestOf(sale), this.deps.capacity.fleet, now);
    const next = desiredStatus(sale.status, { ...observed, capacity }, now);
    if (!sameStatus(sale.status, next)) {
      stopIfAborted(signal);
      await this.deps.api.writeStatus(sale, next);
      this.deps.metrics.statusWrites.inc();
      // Only after the write: a conflict retried must not announce the same change twice.
      for (const event of statusEvents(sale.status, next))
        await this.deps.events.record(sale, event);
    }
    if (!manifest || !observed.levels) return done;
    return this.nextPass(sale.metadata.name, manifest, observed.levels, now);
  }

  /** When to look again by the clock alone (judged on Redis's clock, like the buyers). */
  private nextPass(
    name: string,
    manifest: FlashSaleManifest,
    levels: NonNullable<SaleObservation['levels']>,
    now: Date,
  ): ReconcileOutcome {
    const window = {
      startsAt: new Date(manifest.spec.startsAt),
      endsAt: new Date(manifest.spec.endsAt),
      warmupSeconds: manifest.spec.capacity?.warmupSeconds ?? 0,
    };
    const refreshMs = this.deps.activeRefreshMs;
    const delay = requeueDelayMs(window, levels, now, refreshMs);
    // A sales row PostgreSQL refused is retried at the refresh period, whatever the state.
    const wake = this.salesRows.awaitingWrite(name)
      ? Math.min(delay ?? refreshMs, refreshMs)
      : delay;
    return wake === undefined ? done : { result: 'success', requeueAfterMs: wake };
  }
}
