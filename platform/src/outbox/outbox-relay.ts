import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Message, Producer } from 'kafkajs';
import type { Logger } from '../observability/logger.ts';
import { purchaseFromStored } from '../purchases/purchase-decider.ts';
import type { PurchaseEvent } from '../purchases/purchase.ts';
import { outboxGroup, saleKeys } from '../sales/sale-keys.ts';
import { Backoff } from './backoff.ts';

export interface OutboxRelayOptions {
  readonly topic: string;
  /** Unique per relay process: the owner of the entries it has read but not yet acknowledged. */
  readonly consumer: string;
  readonly batchSize: number;
  /** Entries another relay read but left unacknowledged this long are taken over. */
  readonly claimIdleMs: number;
  readonly logger: Logger;
  readonly onRelayed?: (sale: string, count: number) => void;
}

type StreamEntry = [id: string, fields: string[]];
type StreamReply = [stream: string, entries: StreamEntry[]][] | null;

function fieldOf(fields: readonly string[], name: string): string | undefined {
  const index = fields.indexOf(name);
  return index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
}

export function toKafkaMessage(sale: string, fields: readonly string[]): Message {
  const purchase = purchaseFromStored(fieldOf(fields, 'purchase') ?? '{}');
  const event: PurchaseEvent = { eventId: purchase.purchaseId, ...purchase };
  const traceparent = fieldOf(fields, 'traceparent');
  return {
    key: sale,
    value: JSON.stringify(event),
    ...(traceparent ? { headers: { traceparent } } : {}),
  };
}

/**
 * Moves confirmed purchases from each sale's outbox stream to Kafka. An entry is
 * acknowledged (and deleted) only after Kafka has acknowledged it from all in-sync replicas,
 * so a crash anywhere re-sends rather than loses; duplicates are harmless because the
 * persister keys rows by purchase id. While Kafka is down the backlog stays in Redis.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly groupsReady = new Set<string>();
  private lastClaimAt = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly producer: Producer,
    private readonly listSales: () => Promise<string[]>,
    private readonly options: OutboxRelayOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Lets a waiting relay look again at once (wired to the sale change feed). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(200, 5000);
    while (this.running) {
      try {
        const moved = await this.relayAll();
        backoff.reset();
        if (moved === 0) await this.idle(250);
      } catch (error) {
        const delay = backoff.next();
        this.options.logger.warn(
          { err: error, retryInMs: delay },
          'outbox relay failed; backlog kept in Redis',
        );
        await sleep(delay);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async relayAll(): Promise<number> {
    const claimDue = Date.now() - this.lastClaimAt >= this.options.claimIdleMs / 2;
    if (claimDue) this.lastClaimAt = Date.now();
    let moved = 0;
    for (const sale of await this.listSales()) {
      await this.ensureGroup(sale);
      moved += await this.relaySale(sale, claimDue);
    }
    return moved;
  }

  private async ensureGroup(sale: string): Promise<void> {
    if (this.groupsReady.has(sale)) return;
    try {
      await this.redis.xgroup('CREATE', saleKeys(sale).outbox, outboxGroup, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
    this.groupsReady.add(sale);
  }

  private async read(sale: string, from: '0' | '>'): Promise<StreamEntry[]> {
    const reply = (await this.redis.xreadgroup(
      'GROUP',
      outboxGroup,
      this.options.consumer,
      'COUNT',
      this.options.batchSize,
      'STREAMS',
      saleKeys(sale).outbox,
      from,
    )) as StreamReply;
    return reply?.[0]?.[1] ?? [];
  }

  private async claim(sale: string): Promise<StreamEntry[]> {
    const reply = (await this.redis.xautoclaim(
      saleKeys(sale).outbox,
      outboxGroup,
      this.options.consumer,
      this.options.claimIdleMs,
      '0-0',
      'COUNT',
      this.options.batchSize,
    )) as [string, StreamEntry[]];
    return reply[1].filter(([, fields]) => fields !== null);
  }

  /** Own unacknowledged entries first (a failed send is retried in order), then new ones. */
  private async relaySale(sale: string, claimDue: boolean): Promise<number> {
    let entries: StreamEntry[];
    try {
      entries = await this.read(sale, '0');
      if (entries.length === 0) entries = await this.read(sale, '>');
      if (entries.length === 0 && claimDue) entries = await this.claim(sale);
    } catch (error) {
      // The sale was deleted (its stream and group are gone): forget it.
      if (error instanceof Error && error.message.startsWith('NOGROUP')) {
        this.groupsReady.delete(sale);
        return 0;
      }
      throw error;
    }
    if (entries.length === 0) return 0;
    await this.producer.send({
      topic: this.options.topic,
      acks: -1,
      messages: entries.map(([, fields]) => toKafkaMessage(sale, fields)),
    });
    const ids = entries.map(([id]) => id);
    const outbox = saleKeys(sale).outbox;
    await this.redis
      .multi()
      .xack(outbox, outboxGroup, ...ids)
      .xdel(outbox, ...ids)
      .exec();
    this.options.onRelayed?.(sale, entries.length);
    return entries.length;
  }
}
