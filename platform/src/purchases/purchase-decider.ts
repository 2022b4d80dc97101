import { randomUUID } from 'node:crypto';
import type { Purchase } from '@flashsale/contract';
import { luaScript, classifyRedisError } from '@flashsale/runtime';
import type { RedisClient } from '@flashsale/runtime';
import { changesChannelFor, saleKeys } from '../sales/sale-keys.ts';
import type { StoredPurchase } from '../sales/stored-purchase.ts';

export interface PurchaseRequest {
  readonly sale: string;
  readonly userId: string;
  readonly quantity: number;
  readonly idempotencyKey?: string | undefined;
  /** W3C traceparent of the request, carried with the event to Kafka. */
  readonly traceparent?: string | undefined;
}

export type PurchaseDecision =
  | { readonly outcome: 'confirmed'; readonly purchase: Purchase; readonly remaining: number }
  | { readonly outcome: 'replay'; readonly purchase: Purchase }
  | { readonly outcome: 'rate_limited'; readonly retryAfterMs: number }
  | { readonly outcome: 'sale_not_found' }
  | { readonly outcome: 'not_started'; readonly startsAt: Date }
  | { readonly outcome: 'ended' }
  | { readonly outcome: 'limit_reached'; readonly bought: number; readonly limit: number }
  | { readonly outcome: 'sold_out'; readonly remaining: number };

export interface DeciderOptions {
  /** Purchase attempts one user may make per sale and window; 0 turns the limit off. */
  readonly rateLimit: number;
  readonly rateWindowMs: number;
  /** How long an Idempotency-Key answers with its original purchase. */
  readonly idempotencyTtlMs: number;
  /**
   * Replicas that must acknowledge a purchase (Redis WAIT) before it is answered; 0 answers
   * once the primary has it. See docs/durability.md.
   */
  readonly minReplicasAck?: number;
  /** How long WAIT may take; past it the answer is "outcome unknown". */
  readonly replicaAckTimeoutMs?: number;
}

/** Why a purchase may or may not have happened (docs/durability.md). */
export type UnknownReason = 'no_answer' | 'replica_ack_timeout';

/**
 * The purchase may have happened, but this process cannot tell: the decision was sent and no
 * answer came back, or it was decided and not acknowledged by enough replicas in time. Only a
 * retry with the same Idempotency-Key (or GET /purchases/me) tells the buyer the truth.
 */
export class OutcomeUnknownError extends Error {
  constructor(
    readonly reason: UnknownReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OutcomeUnknownError';
  }
}

export function purchaseFromStored(json: string): Purchase {
  const stored = JSON.parse(json) as StoredPurchase;
  return {
    purchaseId: stored.purchaseId,
    sale: stored.sale,
    userId: stored.userId,
    quantity: stored.quantity,
    purchasedAt: new Date(stored.purchasedAtMs).toISOString(),
    status: 'confirmed',
  };
}

type ScriptReply = [string, ...(string | number)[]];

type DeciderRedis = RedisClient & {
  purchaseDecision(...args: (string | number)[]): Promise<ScriptReply>;
};

/** The purchase decision's Lua source (docs/data-path.md); the bench loads it as is. */
export const purchaseDecisionLua = luaScript(import.meta.url, 'purchase-decision.lua');

export function toDecision(reply: ScriptReply): PurchaseDecision {
  const [outcome, first, second] = reply;
  switch (outcome) {
    case 'confirmed':
      return { outcome, purchase: purchaseFromStored(String(first)), remaining: Number(second) };
    case 'replay':
      return { outcome, purchase: purchaseFromStored(String(first)) };
    case 'rate_limited':
      return { outcome, retryAfterMs: Math.max(1, Number(first)) };
    case 'not_started':
      return { outcome, startsAt: new Date(Number(first)) };
    case 'limit_reached':
      return { outcome, bought: Number(first), limit: Number(second) };
    case 'sold_out':
      return { outcome, remaining: Number(first) };
    case 'sale_not_found':
    case 'ended':
      return { outcome };
    default:
      throw new Error(`the purchase script answered an unknown outcome: ${outcome}`);
  }
}

/** Decides purchases in one Redis round trip (see purchase-decision.lua). */
export class PurchaseDecider {
  private readonly redis: DeciderRedis;

  constructor(
    redis: RedisClient,
    private readonly options: DeciderOptions,
  ) {
    this.redis = redis as DeciderRedis;
    if (typeof this.redis.purchaseDecision !== 'function') {
      redis.defineCommand('purchaseDecision', { numberOfKeys: 7, lua: purchaseDecisionLua });
    }
  }

  async decide(request: PurchaseRequest): Promise<PurchaseDecision> {
    let reply: ScriptReply;
    try {
      reply = await this.runScript(request);
    } catch (error) {
      if (classifyRedisError(error) !== 'unanswered') throw error;
      throw new OutcomeUnknownError('no_answer', 'the purchase decision got no answer', {
        cause: error,
      });
    }
    const decision = toDecision(reply);
    if (decision.outcome === 'confirmed' || decision.outcome === 'replay') {
      await this.awaitReplicas();
    }
    return decision;
  }

  /** WAIT until enough replicas hold the purchase; a replay waits too, as it answers 2xx. */
  private async awaitReplicas(): Promise<void> {
    const needed = this.options.minReplicasAck ?? 0;
    if (needed === 0) return;
    const timeoutMs = this.options.replicaAckTimeoutMs ?? 1000;
    let acked: number;
    try {
      acked = await this.redis.wait(needed, timeoutMs);
    } catch (error) {
      if (classifyRedisError(error) === undefined) throw error;
      throw new OutcomeUnknownError('replica_ack_timeout', 'WAIT for replicas failed', {
        cause: error,
      });
    }
    if (acked < needed) {
      throw new OutcomeUnknownError(
        'replica_ack_timeout',
        `${acked} of ${needed} replicas acknowledged the purchase within ${timeoutMs} ms`,
      );
    }
  }

  private runScript(request: PurchaseRequest): Promise<ScriptReply> {
    const keys = saleKeys(request.sale);
    const idempotencyKey = request.idempotencyKey ?? '';
    return this.redis.purchaseDecision(
      keys.config,
      keys.remaining,
      keys.buyers,
      keys.outbox,
      // Always a key of this sale's slot, even without an Idempotency-Key (then unused).
      keys.idempotency(request.userId, idempotencyKey),
      keys.userPurchases(request.userId),
      keys.rateLimit(request.userId),
      request.userId,
      request.quantity,
      randomUUID(),
      idempotencyKey === '' ? '0' : '1',
      this.options.rateLimit,
      this.options.rateWindowMs,
      this.options.idempotencyTtlMs,
      request.traceparent ?? '',
      changesChannelFor(this.redis.options.keyPrefix),
      request.sale,
    );
  }

  async purchasesOf(sale: string, userId: string): Promise<Purchase[]> {
    const stored = await this.redis.lrange(saleKeys(sale).userPurchases(userId), 0, -1);
    return stored.map(purchaseFromStored);
  }
}
