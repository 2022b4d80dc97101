import { saleEventName, type Sale } from '@flashsale/contract';
import { systemClock, type Clock, type Timer } from '@flashsale/runtime';

export interface SaleEventClient {
  /** One Server-Sent-Events message, ready to write (see `saleFrame`). */
  send(frame: string): void;
}

/** The `event: sale` message for a sale: built once per update, written to every client. */
export function saleFrame(sale: Sale): string {
  return `event: ${saleEventName}\ndata: ${JSON.stringify(sale)}\n\n`;
}

interface Subscription {
  readonly clients: Set<SaleEventClient>;
  last?: Sale;
  /** On the clock's monotonic time. */
  lastSentAt: number;
  dirty: boolean;
}

export interface SaleEventsHubOptions {
  readonly tickMs: number;
  readonly heartbeatMs: number;
  /** Drives the ticks and judges the heartbeat and the sale's boundaries. */
  readonly clock?: Clock;
}

/**
 * Fans sale updates out to Server-Sent-Event clients. Per process and sale, one read of
 * Redis serves every client: on a change (from the change feed, coalesced per tick), when
 * the sale crosses its start or end, and at least every `heartbeatMs`. Each update is
 * serialised once and the same message is handed to every client.
 */
export class SaleEventsHub {
  private readonly subscriptions = new Map<string, Subscription>();
  private timer: Timer | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly readSale: (name: string) => Promise<Sale | undefined>,
    private readonly options: SaleEventsHubOptions,
    private readonly onError: (error: unknown) => void,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.timer?.cancel();
    this.scheduleTick();
  }

  /** Arms the next tick; each tick arms the one after it (the timer keeps no process alive). */
  private scheduleTick(): void {
    this.timer = this.clock.after(this.options.tickMs, () => {
      this.scheduleTick();
      void this.tick();
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.subscriptions.clear();
  }

  get clientCount(): number {
    let count = 0;
    for (const subscription of this.subscriptions.values()) count += subscription.clients.size;
    return count;
  }

  /** Adds a client; it gets `initial` at once, then every update. Returns the unsubscribe. */
  subscribe(sale: Sale, client: SaleEventClient): () => void {
    let subscription = this.subscriptions.get(sale.name);
    if (!subscription) {
      subscription = {
        clients: new Set(),
        last: sale,
        lastSentAt: this.clock.monotonicMs(),
        dirty: false,
      };
      this.subscriptions.set(sale.name, subscription);
    }
    subscription.clients.add(client);
    client.send(saleFrame(sale));
    const owned = subscription;
    return () => {
      owned.clients.delete(client);
      if (owned.clients.size === 0) this.subscriptions.delete(sale.name);
    };
  }

  markChanged(name: string): void {
    const subscription = this.subscriptions.get(name);
    if (subscription) subscription.dirty = true;
  }

  private due(subscription: Subscription, now: number): boolean {
    if (subscription.dirty || now - subscription.lastSentAt >= this.options.heartbeatMs)
      return true;
    const last = subscription.last;
    if (!last) return true;
    // The state flips on the sale's own times, judged on the server's clock as last read
    // and advanced by local time since: send as soon as one has passed.
    const offset = Date.parse(last.serverTime) - subscription.lastSentAt;
    const serverNow = now + offset;
    const boundary =
      last.state === 'upcoming' ? Date.parse(last.startsAt) : Date.parse(last.endsAt);
    return last.state !== 'ended' && serverNow >= boundary;
  }

  private async tick(): Promise<void> {
    const now = this.clock.monotonicMs();
    const due = [...this.subscriptions.entries()].filter(([, subscription]) =>
      this.due(subscription, now),
    );
    await Promise.all(
      due.map(async ([name, subscription]) => {
        subscription.dirty = false;
        try {
          const sale = await this.readSale(name);
          if (!sale) return;
          subscription.last = sale;
          subscription.lastSentAt = now;
          const frame = saleFrame(sale);
          for (const client of subscription.clients) client.send(frame);
        } catch (error) {
          this.onError(error);
        }
      }),
    );
  }
}
