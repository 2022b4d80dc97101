import { HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable, InjectionToken } from '@angular/core';
import {
  catchError,
  EMPTY,
  Observable,
  type Subscription,
  switchMap,
  throwError,
  timer,
} from 'rxjs';
import { saleEventName, type Sale } from '@flashsale/contract';
import { APP_CONFIG } from '../core/app-config';
import { ServerClock } from '../core/server-clock';
import { SalesApi } from '../sales/sales-api';

/** How the page learns about the sale: pushed over SSE, or pulled while SSE is down. */
export type FeedMode = 'live' | 'polling';

export interface SaleUpdate {
  readonly sale: Sale;
  readonly mode: FeedMode;
}

export interface FeedTimings {
  /** Polling period while the event stream is down. */
  readonly pollEveryMs: number;
  /** The API sends an event at least every 5 s; silence this long means a dead stream. */
  readonly silentAfterMs: number;
}

export const FEED_TIMINGS = new InjectionToken<FeedTimings>('FeedTimings', {
  providedIn: 'root',
  factory: () => ({ pollEveryMs: 3000, silentAfterMs: 12_000 }),
});

/** Opens an EventSource; a token so that specs can hand in a fake one. */
export const EVENT_SOURCE = new InjectionToken<(url: string) => EventSource>('EventSource', {
  providedIn: 'root',
  factory: () => (url: string) => new EventSource(url),
});

const closed = 2; // EventSource.CLOSED, without touching the global in specs

/**
 * One sale's live feed: SSE first (EventSource reconnects by itself after a dropped
 * connection); while it is down, or silent for too long, poll GET /api/sales/{sale}
 * until an event arrives again, and reopen the stream. A 404 ends the feed with an error.
 */
class SaleFeedConnection {
  private source: EventSource | undefined;
  private polling: Subscription | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly deps: {
      readonly open: (url: string) => EventSource;
      readonly poll: () => Observable<Sale>;
      readonly timings: FeedTimings;
      readonly emit: (update: SaleUpdate) => void;
      readonly fail: (error: unknown) => void;
    },
  ) {}

  start(): void {
    this.openStream();
  }

  stop(): void {
    this.source?.close();
    this.stopPolling();
    clearTimeout(this.watchdog);
  }

  private openStream(): void {
    this.source?.close();
    const source = this.deps.open(this.url);
    this.source = source;
    source.addEventListener(saleEventName, (event) => this.onEvent(event as MessageEvent<string>));
    source.onerror = () => {
      this.startPolling();
      // CLOSED means the browser gave up (an HTTP error, not a stream): reopen it ourselves.
      if (source.readyState === closed) this.armWatchdog(this.deps.timings.pollEveryMs);
    };
    this.armWatchdog(this.deps.timings.silentAfterMs);
  }

  private onEvent(event: MessageEvent<string>): void {
    let sale: Sale;
    try {
      sale = JSON.parse(event.data) as Sale;
    } catch {
      return;
    }
    this.stopPolling();
    this.armWatchdog(this.deps.timings.silentAfterMs);
    this.deps.emit({ sale, mode: 'live' });
  }

  private armWatchdog(afterMs: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.startPolling();
      this.openStream();
    }, afterMs);
  }

  private startPolling(): void {
    if (this.polling) return;
    this.polling = timer(0, this.deps.timings.pollEveryMs)
      .pipe(
        switchMap(() =>
          this.deps
            .poll()
            .pipe(
              catchError((error: unknown) =>
                error instanceof HttpErrorResponse && error.status === 404
                  ? throwError(() => error)
                  : EMPTY,
              ),
            ),
        ),
      )
      .subscribe({
        next: (sale) => this.deps.emit({ sale, mode: 'polling' }),
        error: (error: unknown) => this.deps.fail(error),
      });
  }

  private stopPolling(): void {
    this.polling?.unsubscribe();
    this.polling = undefined;
  }
}

@Injectable({ providedIn: 'root' })
export class SaleFeed {
  private readonly api = inject(SalesApi);
  private readonly clock = inject(ServerClock);
  private readonly config = inject(APP_CONFIG);
  private readonly open = inject(EVENT_SOURCE);
  private readonly timings = inject(FEED_TIMINGS);

  watch(name: string): Observable<SaleUpdate> {
    return new Observable<SaleUpdate>((subscriber) => {
      const connection = new SaleFeedConnection(
        `${this.config.apiBaseUrl}${this.api.eventsUrl(name)}`,
        {
          open: this.open,
          poll: () => this.api.get(name),
          timings: this.timings,
          emit: (update) => {
            this.clock.observe(update.sale.serverTime);
            subscriber.next(update);
          },
          fail: (error) => subscriber.error(error),
        },
      );
      connection.start();
      return () => connection.stop();
    });
  }
}
