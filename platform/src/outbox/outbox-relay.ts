import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import { systemClock, type Clock, type Logger, type RedisClient } from '@flashsale/runtime';
import type { PurchaseEvent } from '../purchases/purchase.ts';
import { outboxGroup, saleKeys } from '../sales/sale-keys.ts';
import {
  SpanKind,
  SpanStatusCode,
  contextFrom,
  injectInto,
  tracer,
  Backoff,
} from '@flashsale/runtime';
import type { Span } from '@opentelemetry/api';
import { KafkaUnavailableError, RecordsRejectedError } from './kafka-link.ts';
import {
  eventOfEntry,
  fieldOf,
  messageBytes,
  splitBySize,
  type StreamEntry,
} from './outbox-entry.ts';

/**
 * Stream of outbox entries the relay gave up on (one for all sales, outside every sale's
 * slot, so deleting a sale keeps them). See docs/data-path.md for inspecting and replaying.
 */
export const relayDeadLetterKey = 'flashsale:outbox-dead-letter';

/** Entries one claim may take over at least: a dead relay's whole batch, even with small batches. */
const claimCount = 1000;

/** Where the relay sends a batch: a Kafka topic (see KafkaLink). */
export interface RelaySender {
  send(messages: Message[]): Promise<void>;
}

export interface OutboxRelayOptions {
  readonly topic: string;
  /** Unique per relay process: the owner of the entries it has read but not yet acknowledged. */
  readonly consumer: string;
  readonly batchSize: number;
  /** Entries another relay read but left unacknowledged this long are taken over. */
  readonly claimIdleMs: number;
  /** Failed attempts at one entry (unreadable, or refused by Kafka) before it is dead-lettered. */
  readonly maxAttempts: number;
  /** The largest record batch the topic accepts (its `max.message.bytes`). */
  readonly maxBatchBytes: number;
  readonly logger: Logger;
  /** The claim schedule follows its monotonic time (`systemClock` unless given). */
  readonly clock?: Clock;
  readonly onRelayed?: (sale: string, count: number) => void;
  readonly onDeadLettered?: (sale: string, count: number) => void;
}

/** An entry ready to send. */
interface Outgoing {
  readonly id: string;
  readonly fields: string[];
  readonly event: PurchaseEvent;
  /** Its size in a record batch, with room for the traceparent the publish span writes. */
  readonly bytes: number;
}

/** Room for a `traceparent` header (55 characters) that replaces a shorter stored one. */
const traceparentBytes = 64;

/** An entry that could not be sent this time, and why. */
interface Refused {
  readonly id: string;
  readonly fields: string[];
  readonly reason: string;
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
 * The Kafka message of a checked event. The trace continues from the span that publishes it
 * (a child of the request that made the purchase); without tracing, the stored traceparent
 * is passed on as it is.
 */
export function toKafkaMessage(
  sale: string,
  event: PurchaseEvent,
  fields: readonly string[],
  span?: Span,
): Message {
  const headers: Record<string, string> = {};
  if (span) injectInto(span, headers);
  const traceparent = headers.traceparent ?? fieldOf(fields, 'traceparent');
  return {
    key: sale,
    value: JSON.stringify(event),
    ...(traceparent ? { headers: { traceparent } } : {}),
  };
}

function isNoGroup(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOGROUP');
}

/**
 * Moves confirmed purchases from each sale's outbox stream to Kafka. An entry is
 * acknowledged (and deleted) only after Kafka has acknowledged it from all in-sync replicas,
 * so a crash anywhere re-sends rather than loses; duplicates are harmless because the
 * persister keys rows by purchase id. While Kafka is down the backlog stays in Redis.
 *
 * Faults stay contained (docs/data-path.md): an entry that cannot be sent is retried on
 * later rounds while the rest of its sale and every other sale move on, and after
 * `maxAttempts` it goes to the dead-letter stream; batches are split to fit the topic's
 * `max.message.bytes`; entries a dead relay left unacknowledged are claimed on a schedule,
 * however busy the outboxes are.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly groupsReady = new Set<string>();
  private readonly claimCursors = new Map<string, string>();
  private readonly attempts = new Map<string, number>();
  private readonly failingSales = new Set<string>();
  private readonly clock: Clock;
  private lastClaimAt = Number.NEGATIVE_INFINITY;
  private wake: (() => void) | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly sender: RelaySender,
    private readonly listSales: () => Promise<string[]>,
    private readonly options: OutboxRelayOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

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

  /**
   * One round over every sale. A Kafka outage ends the round (every sale would fail the same
   * way); any other failure is the sale's own and the round goes on to the next sale.
   */
  private async relayAll(): Promise<number> {
    const now = this.clock.monotonicMs();
    const claimDue = now - this.lastClaimAt >= this.options.claimIdleMs / 2;
    if (claimDue) this.lastClaimAt = now;
    const sales = await this.listSales();
    let moved = 0;
    let failed = 0;
    let lastError: unknown;
    for (const sale of sales) {
      try {
        moved += await this.relaySale(sale, claimDue);
        this.saleRecovered(sale);
      } catch (error) {
        if (error instanceof KafkaUnavailableError) throw error;
        failed += 1;
        lastError = error;
        this.saleFailed(sale, error);
      }
    }
    // Every sale failed: Redis itself is the likely cause, so back off like for Kafka.
    if (failed > 0 && failed === sales.length) throw lastError;
    return moved;
  }

  private saleFailed(sale: string, error: unknown): void {
    if (this.failingSales.has(sale)) return;
    this.failingSales.add(sale);
    this.options.logger.error({ err: error, sale }, 'relaying this sale failed; other sales go on');
  }

  private saleRecovered(sale: string): void {
    if (this.failingSales.delete(sale)) this.options.logger.warn({ sale }, 'relaying sale resumed');
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

  private async read(sale: string, from: '0' | '>', count: number): Promise<StreamEntry[]> {
    const reply = await this.redis.xreadgroup(
      'GROUP',
      outboxGroup,
      this.options.consumer,
      'COUNT',
      count,
      'STREAMS',
      saleKeys(sale).outbox,
      from,
    );
    return reply?.[0]?.[1] ?? [];
  }

  /**
   * Takes over entries other relays read but left unacknowledged for `claimIdleMs` (they
   * died): they join this relay's own pending entries, which every round reads first. The
   * scan resumes where the previous one stopped, so a long pending list is covered in turn.
   */
  private async claim(sale: string): Promise<void> {
    const [next] = (await this.redis.xautoclaim(
      saleKeys(sale).outbox,
      outboxGroup,
      this.options.consumer,
      this.options.claimIdleMs,
      this.claimCursors.get(sale) ?? '0-0',
      'COUNT',
      Math.max(this.options.batchSize, claimCount),
      'JUSTID',
    )) as [next: string, ids: string[]];
    this.claimCursors.set(sale, next);
  }

  /** Own unacknowledged entries first (failed sends are retried), then new ones. */
  private async nextEntries(sale: string, claimDue: boolean): Promise<StreamEntry[]> {
    try {
      if (claimDue) await this.claim(sale);
      const { batchSize } = this.options;
      const pending = await this.read(sale, '0', batchSize);
      const fresh =
        pending.length < batchSize ? await this.read(sale, '>', batchSize - pending.length) : [];
      return [...pending, ...fresh];
    } catch (error) {
      // The sale was deleted (its stream and group are gone): forget it.
      if (isNoGroup(error)) {
        this.forget(sale);
        return [];
      }
      throw error;
    }
  }

  private forget(sale: string): void {
    this.groupsReady.delete(sale);
    this.claimCursors.delete(sale);
    for (const key of this.attempts.keys())
      if (key.startsWith(`${sale}\n`)) this.attempts.delete(key);
  }

  private async relaySale(sale: string, claimDue: boolean): Promise<number> {
    await this.ensureGroup(sale);
    const entries = await this.nextEntries(sale, claimDue);
    if (entries.length === 0) return 0;
    const { outgoing, refused, gone } = this.prepare(sale, entries);
    // Pending entries someone deleted: nothing to send, only the pending record to clear.
    if (gone.length > 0) await this.acknowledge(sale, gone);
    const { groups, oversized } = splitBySize(outgoing, this.options.maxBatchBytes);
    for (const entry of oversized) {
      refused.push({ ...entry, reason: `larger than the topic's limit (${entry.bytes} bytes)` });
    }
    let moved = 0;
    for (const group of groups) moved += await this.sendGroup(sale, group, refused);
    for (const entry of refused) moved += await this.recordFailure(sale, entry);
    return moved;
  }

  private prepare(
    sale: string,
    entries: readonly StreamEntry[],
  ): { outgoing: Outgoing[]; refused: Refused[]; gone: string[] } {
    const outgoing: Outgoing[] = [];
    const refused: Refused[] = [];
    const gone: string[] = [];
    for (const [id, fields] of entries) {
      if (fields === null) {
        gone.push(id);
        continue;
      }
      const check = eventOfEntry(sale, fields);
      if (!check.ok) {
        refused.push({ id, fields, reason: check.reason });
        continue;
      }
      const bytes = messageBytes(toKafkaMessage(sale, check.event, fields)) + traceparentBytes;
      outgoing.push({ id, fields, event: check.event, bytes });
    }
    return { outgoing, refused, gone };
  }

  /**
   * Sends one batch. When Kafka rejects the records themselves, the batch is halved until the
   * entry it refuses is alone; that entry is refused, the others go.
   */
  private async sendGroup(sale: string, group: Outgoing[], refused: Refused[]): Promise<number> {
    const spans = group.map((entry) => publishSpan(this.options.topic, entry.fields));
    try {
      await this.sender.send(
        group.map((entry, index) => toKafkaMessage(sale, entry.event, entry.fields, spans[index])),
      );
    } catch (error) {
      for (const span of spans) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!(error instanceof RecordsRejectedError)) throw error;
      if (group.length === 1 && group[0]) {
        refused.push({ ...group[0], reason: `Kafka rejected it: ${error.type}` });
        return 0;
      }
      const half = Math.ceil(group.length / 2);
      return (
        (await this.sendGroup(sale, group.slice(0, half), refused)) +
        (await this.sendGroup(sale, group.slice(half), refused))
      );
    } finally {
      for (const span of spans) span.end();
    }
    // Acknowledged and deleted only now that Kafka has the events: XLEN is the backlog.
    await this.acknowledge(
      sale,
      group.map((entry) => entry.id),
    );
    for (const entry of group) this.attempts.delete(`${sale}\n${entry.id}`);
    this.options.onRelayed?.(sale, group.length);
    return group.length;
  }

  private async acknowledge(sale: string, ids: readonly string[]): Promise<void> {
    const outbox = saleKeys(sale).outbox;
    await this.redis
      .multi()
      .xack(outbox, outboxGroup, ...ids)
      .xdel(outbox, ...ids)
      .exec();
  }

  /** Counts a failed attempt at an entry; dead-letters it at the last one (returns 1 then). */
  private async recordFailure(sale: string, entry: Refused): Promise<number> {
    const key = `${sale}\n${entry.id}`;
    const attempts = (this.attempts.get(key) ?? 0) + 1;
    if (attempts < this.options.maxAttempts) {
      this.attempts.set(key, attempts);
      this.options.logger.warn(
        { sale, entry: entry.id, attempt: attempts, reason: entry.reason },
        'outbox entry cannot be relayed; retrying it on the next round',
      );
      return 0;
    }
    await this.deadLetter(sale, entry, attempts);
    this.attempts.delete(key);
    return 1;
  }

  /**
   * Copies the entry to the dead-letter stream, then removes it from the outbox. A crash in
   * between leaves it in both; it is never in neither.
   */
  private async deadLetter(sale: string, entry: Refused, attempts: number): Promise<void> {
    await this.redis.xadd(
      relayDeadLetterKey,
      '*',
      'sale',
      sale,
      'entry',
      entry.id,
      'reason',
      entry.reason,
      'attempts',
      String(attempts),
      'consumer',
      this.options.consumer,
      'fields',
      JSON.stringify(entry.fields),
    );
    await this.acknowledge(sale, [entry.id]);
    this.options.logger.error(
      { sale, entry: entry.id, attempts, reason: entry.reason, stream: relayDeadLetterKey },
      'outbox entry moved to the dead-letter stream',
    );
    this.options.onDeadLettered?.(sale, 1);
  }
}
