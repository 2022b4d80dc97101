import type { KubernetesObject, Watch } from '@kubernetes/client-node';
import { Backoff } from '@flashsale/runtime';
import type { Logger } from '@flashsale/runtime';
import { systemClock, type Clock, type Timer } from './clock.ts';
import { statusCodeOf } from './flash-sale-api.ts';

export type RestartReason = 'gone' | 'error';

export interface InformerOptions<T extends KubernetesObject> {
  readonly list: () => Promise<{ items: T[]; resourceVersion: string }>;
  readonly watch: Watch;
  readonly path: string;
  readonly keyOf: (object: T) => string;
  /** A full relist this often; every object is reported again (a resync). */
  readonly resyncMs: number;
  readonly logger: Logger;
  readonly onRestart?: (reason: RestartReason) => void;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** The server ends each watch after this long (plus its own jitter); we then resume. */
  readonly watchTimeoutSeconds?: number;
  /** Drives the resync, the restart backoff and the hot-loop guard. */
  readonly clock?: Clock;
}

/** A watch that ends this soon, having delivered nothing, counts as failed. */
const minHealthyWatchMs = 1000;

/**
 * `previous` is the cached copy the object replaces: undefined for a new object and on a
 * resync, when every object is reported again whatever changed.
 */
type Listener<T> = (object: T, previous: T | undefined) => void;

/**
 * A list-then-watch cache of one resource, written for the failure modes client-node's own
 * informer leaves to its caller: on 410 Gone it relists at once; on any other error (the API
 * server restarting, a refused connection, a list that fails) it restarts with jittered
 * backoff from 1 s to 30 s instead of stopping; and it relists on a timer, reporting every
 * object again, so a missed event can delay a reconcile but never lose it.
 */
export class Informer<T extends KubernetesObject> {
  private readonly cache = new Map<string, T>();
  private readonly upserts: Listener<T>[] = [];
  private readonly deletes: Listener<T>[] = [];
  private readonly backoff: Backoff;
  private resourceVersion = '';
  private generation = 0;
  private running = false;
  private synced = false;
  private abort: AbortController | undefined;
  private retryTimer: Timer | undefined;
  private resyncTimer: Timer | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: InformerOptions<T>) {
    this.clock = options.clock ?? systemClock;
    this.backoff = new Backoff(
      options.backoff?.initialMs ?? 1000,
      options.backoff?.maxMs ?? 30_000,
    );
  }

  onUpsert(listener: Listener<T>): void {
    this.upserts.push(listener);
  }

  onDelete(listener: Listener<T>): void {
    this.deletes.push(listener);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.relist(false);
    this.scheduleResync();
  }

  /** Arms the next resync; each one arms the one after it while running. */
  private scheduleResync(): void {
    this.resyncTimer = this.clock.after(this.options.resyncMs, () => {
      if (!this.running) return;
      this.scheduleResync();
      void this.relist(true);
    });
  }

  /** Stops watching and forgets the cache: a later start() rebuilds it from a fresh list. */
  stop(): void {
    this.running = false;
    this.synced = false;
    this.cache.clear();
    this.resourceVersion = '';
    this.generation += 1;
    this.resyncTimer?.cancel();
    this.retryTimer?.cancel();
    this.abort?.abort();
    this.abort = undefined;
  }

  /** Lists everything, reconciles the cache with it, then watches from the list's version. */
  private async relist(reportAll: boolean): Promise<void> {
    const generation = ++this.generation;
    this.retryTimer?.cancel();
    this.abort?.abort();
    try {
      const { items, resourceVersion } = await this.options.list();
      if (generation !== this.generation) return;
      this.replaceAll(items, reportAll);
      this.resourceVersion = resourceVersion;
      this.synced = true;
      this.backoff.reset();
      await this.watch(generation);
    } catch (error) {
      if (generation === this.generation) this.restartLater(error);
    }
  }

  private replaceAll(items: T[], reportAll: boolean): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = this.options.keyOf(item);
      seen.add(key);
      const known = this.cache.get(key);
      this.cache.set(key, item);
      const changed = known?.metadata?.resourceVersion !== item.metadata?.resourceVersion;
      if (reportAll) this.emit(this.upserts, item, undefined);
      else if (changed) this.emit(this.upserts, item, known);
    }
    for (const [key, known] of this.cache) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.emit(this.deletes, known, known);
    }
  }

  private async watch(generation: number): Promise<void> {
    const openedAt = this.clock.monotonicMs();
    let gone = false;
    let delivered = false;
    const onEvent = (phase: string, object: T & { code?: number }): void => {
      if (generation !== this.generation) return;
      if (phase === 'ERROR') {
        gone ||= object.code === 410;
        return;
      }
      delivered = true;
      this.apply(phase, object);
    };
    const onDone = (error: unknown): void => {
      if (generation !== this.generation || !this.running) return;
      if (gone || statusCodeOf(error) === 410) {
        this.options.onRestart?.('gone');
        void this.relist(false);
      } else if (error) {
        this.restartLater(error);
      } else if (!delivered && this.clock.monotonicMs() - openedAt < minHealthyWatchMs) {
        // A watch the server ends at once, repeatedly, must not become a hot loop.
        this.restartLater(new Error('the watch closed immediately'));
      } else {
        this.backoff.reset();
        void this.resume(generation);
      }
    };
    this.abort = await this.options.watch.watch(
      this.options.path,
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
      },
      onEvent,
      onDone,
    );
  }

  /** Resumes watching after the server closed a healthy watch (its timeout). */
  private async resume(generation: number): Promise<void> {
    try {
      await this.watch(generation);
    } catch (error) {
      if (generation === this.generation) this.restartLater(error);
    }
  }

  private apply(phase: string, object: T): void {
    this.resourceVersion = object.metadata?.resourceVersion ?? this.resourceVersion;
    if (phase === 'BOOKMARK') return;
    const key = this.options.keyOf(object);
    const known = this.cache.get(key);
    if (phase === 'DELETED') {
      this.cache.delete(key);
      this.emit(this.deletes, object, known);
      return;
    }
    this.cache.set(key, object);
    this.emit(this.upserts, object, known);
  }

  private restartLater(error: unknown): void {
    const generation = ++this.generation;
    this.abort?.abort();
    const delay = this.backoff.next();
    this.options.onRestart?.('error');
    this.options.logger.warn(
      { err: error instanceof Error ? error.message : String(error), retryInMs: delay },
      'watch failed; restarting',
    );
    this.retryTimer?.cancel();
    this.retryTimer = this.clock.after(delay, () => {
      if (generation === this.generation && this.running) void this.relist(false);
    });
  }

  private emit(listeners: Listener<T>[], object: T, previous: T | undefined): void {
    for (const listener of listeners) listener(object, previous);
  }
}
