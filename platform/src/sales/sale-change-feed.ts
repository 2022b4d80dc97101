import { duplicateClient, type RedisClient } from '@flashsale/runtime';
import { changesChannelFor } from './sale-keys.ts';

type Listener = (sale: string) => void;

/**
 * One pub/sub subscription per process, fanned out to every listener in it (the sold-out
 * cache, the SSE hub, the relay's wake-up). No listener ever polls Redis per client.
 */
export class SaleChangeFeed {
  private readonly listeners = new Set<Listener>();
  private readonly subscriber: RedisClient;
  private readonly channel: string;

  /** `onError`: the subscription's connection errors (it reconnects by itself meanwhile). */
  constructor(redis: RedisClient, onError: (error: Error) => void) {
    this.channel = changesChannelFor(redis.options.keyPrefix);
    // A subscribed connection cannot run other commands, so the feed has its own. On a
    // cluster, PUBLISH (also from a script) reaches every node, so any node will do. A
    // duplicate does not inherit listeners: without one, ioredis prints its errors itself.
    this.subscriber = duplicateClient(redis);
    this.subscriber.on('error', onError);
    this.subscriber.on('message', (channel: string, sale: string) => {
      if (channel === this.channel) for (const listener of this.listeners) listener(sale);
    });
  }

  async start(): Promise<void> {
    if (this.subscriber.status === 'wait') await this.subscriber.connect();
    await this.subscriber.subscribe(this.channel);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.listeners.clear();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}
