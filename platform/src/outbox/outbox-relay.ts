import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Message, Producer } from 'kafkajs';
import type { Logger } from '../observability/logger.ts';
import { purchaseFromStored } from '../purchases/purchase-decider.ts';
import type { PurchaseEvent } from '../purchases/purchase.ts';
import { outboxGroup, saleKeys } from '../sales/sale-keys.ts';
import {
  SpanKind,
  SpanStatusCode,
  contextFrom,
  injectInto,
  tracer,
} from '../observability/tracing.ts';
import type { Span } from '@opentelemetry/api';
import { Backoff } from '../process/backoff.ts';

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

/**
 * The Kafka message of an outbox entry. The trace continues from the span that publishes it
 * (a child of the request that made the purchase); without tracing, the stored traceparent
 * is passed on as it is.
 */
export function toKafkaMessage(sale: string, fields: readonly string[], span?: Span): Message {
  const purchase = purchaseFromStored(fieldOf(fields, 'purchase') ?? '{}');
  const event: PurchaseEvent = { eventId: purchase.purchaseId, ...purchase };
  const headers: Record<string, string> = {};
  if (span) injectInto(span, headers);
  const traceparent = headers.traceparent ?? fieldOf(fields, 'traceparent');
  return {
    key: sale,
    value: JSON.stringify(event),
    ...(traceparent ? { headers: { traceparent } } : {}),
  };
}

function publishSpan(topic: string, fields: readonly string[]): Span {
  const parent = contextFrom({ traceparent: fieldOf(fields, 'traceparent') });
  const attributes = {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.operation.type': 'send',
  };
  return tracer.startSpan(`${topic} publish`, { kind: SpanKind.PRODUCER, attributes }, parent);
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
  private async nextEntries(sale: string, claimDue: boolean): Promise<StreamEntry[]> {
    try {
      let entries = await this.read(sale, '0');
      if (entries.length === 0) entries = await this.read(sale, '>');
      if (entries.length === 0 && claimDue) entries = await this.claim(sale);
      return entries;
    } catch (error) {
      // The sale was deleted (its stream and group are gone): forget it.
      if (error instanceof Error && error.message.startsWith('NOGROUP')) {
        this.groupsReady.delete(sale);
        return [];
      }
      throw error;
    }
  }

  private async publish(sale: string, entries: readonly StreamEntry[]): Promise<void> {
    const spans = entries.map(([, fields]) => publishSpan(this.options.topic, fields));
    try {
      await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        messages: entries.map(([, fields], index) => toKafkaMessage(sale, fields, spans[index])),
      });
    } catch (error) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  private async relaySale(sale: string, claimDue: boolean): Promise<number> {
    const entries = await this.nextEntries(sale, claimDue);
    if (entries.length === 0) return 0;
    await this.publish(sale, entries);
    // Acknowledged and deleted only now that Kafka has the events: XLEN is the backlog.
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
