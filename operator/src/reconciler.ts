import type { Sequelize } from 'sequelize';
import type { Logger } from '@flashsale/platform/observability/logger.ts';
import { persistedUnits } from '@flashsale/platform/persistence/purchases-table.ts';
import { upsertSale } from '@flashsale/platform/persistence/sales-table.ts';
import {
  definitionFromManifest,
  flashSaleManifestSchema,
  type FlashSaleManifest,
} from '@flashsale/platform/sales/flash-sale-manifest.ts';
import type { SaleStore } from '@flashsale/platform/sales/sale-store.ts';
import { capacityCondition, type CapacityController } from './capacity.ts';
import {
  cleanupFinalizer,
  statusCodeOf,
  type FlashSaleApi,
  type FlashSaleObject,
} from './flash-sale-api.ts';
import type { EventRecorder } from './events.ts';
import { capacityRequestOf } from './sale-spec.ts';
import { flashSaleState, requeueDelayMs } from './sale-state.ts';
import {
  desiredStatus,
  sameStatus,
  statusEvents,
  stockAlreadyConfigured,
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
}

const done: ReconcileOutcome = { result: 'success' };
/** A 409 means our copy is older than the server's; the watch brings the new one shortly. */
const conflict: ReconcileOutcome = { result: 'conflict', requeueAfterMs: 250 };

/**
 * Brings one FlashSale's world in line with its spec, from what is — never from the event
 * that woke us: get → gone means done → finalizer → deletion → configure → status. Every step
 * is idempotent, so running it twice, after a restart or on another replica changes nothing.
 *
 * The Redis sale name is metadata.name alone (it is the public sale name in the API), so a
 * FlashSale name must be unique across namespaces.
 */
export class FlashSaleReconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileOutcome> {
    let sale = this.deps.cached(key);
    if (!sale) return done;
    try {
      if (sale.metadata.deletionTimestamp) return await this.finalize(sale);
      if (!sale.metadata.finalizers?.includes(cleanupFinalizer)) {
        sale = await this.deps.api.setFinalizers(sale, [
          ...(sale.metadata.finalizers ?? []),
          cleanupFinalizer,
        ]);
      }
      return await this.configure(sale);
    } catch (error) {
      if (statusCodeOf(error) === 409) return conflict;
      if (statusCodeOf(error) === 404) return done;
      throw new Error(`reconciling FlashSale ${key} failed`, { cause: error });
    }
  }

  /** Deletion: stop the sale and drop its Redis keys, then let Kubernetes forget it. */
  private async finalize(sale: FlashSaleObject): Promise<ReconcileOutcome> {
    const finalizers = sale.metadata.finalizers ?? [];
    if (!finalizers.includes(cleanupFinalizer)) return done;
    const removed = await this.deps.store.remove(sale.metadata.name);
    this.deps.logger.info({ sale: sale.metadata.name, keys: removed }, 'sale removed from Redis');
    await this.deps.api.setFinalizers(
      sale,
      finalizers.filter((finalizer) => finalizer !== cleanupFinalizer),
    );
    return done;
  }

  private async configure(sale: FlashSaleObject): Promise<ReconcileOutcome> {
    const generation = sale.metadata.generation ?? 0;
    const parsed = flashSaleManifestSchema.safeParse({
      apiVersion: sale.apiVersion,
      kind: sale.kind,
      metadata: { name: sale.metadata.name },
      spec: sale.spec,
    });
    const now = new Date();
    const capacity = capacityCondition(capacityRequestOf(sale), this.deps.capacity.fleet, now);
    if (!parsed.success) {
      const invalidSpec = parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      const levels = await this.observeLevels(sale.metadata.name);
      return this.writeStatus(
        sale,
        { generation, invalidSpec, capacity, ...(levels ? { levels } : {}) },
        undefined,
      );
    }
    const configured = await this.applyStock(sale, parsed.data, generation);
    if (configured?.status === 'stale') return done;
    const levels = await this.observeLevels(sale.metadata.name);
    const observation: SaleObservation = {
      generation,
      capacity,
      ...(configured ? { configured } : {}),
      ...(levels ? { levels } : {}),
    };
    return this.writeStatus(sale, observation, parsed.data);
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
  ): Promise<SaleObservation['configured']> {
    const definition = definitionFromManifest(manifest);
    if (
      stockAlreadyConfigured(sale.status, generation) &&
      (await this.deps.store.read(definition.name))
    )
      return undefined;
    const result = await this.deps.store.configure(definition, generation);
    if (result.status === 'ok') await upsertSale(this.deps.database, definition);
    return { status: result.status, sold: result.sold, stock: definition.stock };
  }

  private async observeLevels(name: string): Promise<SaleObservation['levels']> {
    const [sale, levels, persisted] = await Promise.all([
      this.deps.store.read(name),
      this.deps.store.levels(name),
      persistedUnits(this.deps.database, name),
    ]);
    if (!sale || !levels) return undefined;
    return {
      state: flashSaleState(sale.state),
      stock: levels.stock,
      sold: levels.sold,
      remaining: levels.remaining,
      persisted,
    };
  }

  private async writeStatus(
    sale: FlashSaleObject,
    observation: SaleObservation,
    manifest: FlashSaleManifest | undefined,
  ): Promise<ReconcileOutcome> {
    const now = new Date();
    const next = desiredStatus(sale.status, observation, now);
    if (!sameStatus(sale.status, next)) {
      await this.deps.api.writeStatus(sale, next);
      // Only after the write: a conflict retried must not announce the same change twice.
      for (const event of statusEvents(sale.status, next))
        await this.deps.events.record(sale, event);
    }
    if (!manifest || !observation.levels) return done;
    const delay = requeueDelayMs(
      {
        startsAt: new Date(manifest.spec.startsAt),
        endsAt: new Date(manifest.spec.endsAt),
        warmupSeconds: manifest.spec.capacity?.warmupSeconds ?? 0,
      },
      observation.levels,
      now,
      this.deps.activeRefreshMs,
    );
    return delay === undefined ? done : { result: 'success', requeueAfterMs: delay };
  }
}
