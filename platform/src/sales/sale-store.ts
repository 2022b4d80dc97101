import type { Sale } from '@flashsale/contract';
import type { Redis } from 'ioredis';
import { luaScript, masters, type RedisClient } from '@flashsale/runtime';
import type { SaleDefinition } from './sale-definition.ts';
import { changesChannelFor, outboxGroup, saleKeys, salesIndexKey } from './sale-keys.ts';
import { toSale } from './sale.ts';
import { encodeStoredPurchase } from './stored-purchase.ts';

export type ConfigureStatus = 'ok' | 'below_sold' | 'stale' | 'not_owner' | 'deleting';

export interface ConfigureResult {
  readonly status: ConfigureStatus;
  readonly sold: number;
  readonly remaining: number;
  readonly generation: number;
}

/** What configuring on behalf of an owner answered, with the sale's identity. */
export interface ClaimResult extends ConfigureResult {
  /** Who owns the sale name (for a refusal: the other owner). */
  readonly owner: string;
  readonly incarnation: string;
  /** When this incarnation of the sale began, on the Redis clock. */
  readonly incarnationStartedAt: Date;
}

/** Who configures a sale: its owner, and the incarnation a new sale starts. */
export interface SaleClaim {
  /** `namespace/uid` of a FlashSale, `cli` for `flashsale sale apply`. */
  readonly owner: string;
  /** Id of the incarnation to start when the sale does not exist yet. */
  readonly incarnation: string;
}

/** What a sale whose keys were lost had already sold (see docs/sale-lifecycle.md). */
export interface SaleReseed {
  readonly incarnationStartedAt: Date;
  /** userId → units bought in the lost incarnation. */
  readonly units: ReadonlyMap<string, number>;
  /** Those purchases, each once, oldest first: the buyers' lists behind /purchases/me. */
  readonly purchases: readonly OutboxPurchase[];
}

export type StopStatus = 'stopped' | 'absent' | 'not_owner';

/** A sale's records in Redis, read in one atomic step (verification, reseeding). */
export interface SaleLedger {
  readonly stock: number | undefined;
  readonly remaining: number | undefined;
  readonly owner: string;
  readonly incarnation: string;
  readonly incarnationStartedAt: Date | undefined;
  /** userId → units, as the purchase decision recorded them. */
  readonly buyers: ReadonlyMap<string, number>;
  /** Purchases still waiting in the outbox stream. */
  readonly outbox: readonly OutboxPurchase[];
}

export interface OutboxPurchase {
  readonly purchaseId: string;
  readonly userId: string;
  readonly quantity: number;
  readonly purchasedAtMs: number;
}

type ConfigureReply = [ConfigureStatus, number, number, number, string, string, number];

interface SaleScripts {
  configureSale(...args: (string | number)[]): Promise<ConfigureReply>;
  readSale(config: string, remaining: string): Promise<[] | [string[], number, number]>;
  stopSale(config: string, ...args: string[]): Promise<[StopStatus, string]>;
  readLedger(...keys: string[]): Promise<[string[], string | null, string[], string[]]>;
}

type ScriptedRedis = RedisClient & SaleScripts;

const configureSaleLua = luaScript(import.meta.url, 'configure-sale.lua');
const readSaleLua = luaScript(import.meta.url, 'read-sale.lua');
const stopSaleLua = luaScript(import.meta.url, 'stop-sale.lua');
const readLedgerLua = luaScript(import.meta.url, 'read-ledger.lua');

/** Buyers whose purchase lists one reseed round trip reads and writes. */
const seedChunkUsers = 500;

/** The owner of sales configured without saying who configures them (tests, benches). */
export const anonymousClaim: SaleClaim = { owner: '', incarnation: '' };

function pairs(flat: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < flat.length; index += 2)
    fields.set(flat[index] ?? '', flat[index + 1] ?? '');
  return fields;
}

function outboxPurchase(json: string): OutboxPurchase {
  const parsed = JSON.parse(json) as Partial<OutboxPurchase>;
  return {
    purchaseId: String(parsed.purchaseId ?? ''),
    userId: String(parsed.userId ?? ''),
    quantity: Number(parsed.quantity ?? 0),
    purchasedAtMs: Number(parsed.purchasedAtMs ?? 0),
  };
}

function toLedger(reply: [string[], string | null, string[], string[]]): SaleLedger {
  const [configFlat, remaining, buyersFlat, outbox] = reply;
  const config = pairs(configFlat);
  const stock = config.get('stock');
  const startMs = config.get('incarnationStartMs');
  return {
    stock: stock === undefined ? undefined : Number(stock),
    remaining: remaining === null ? undefined : Number(remaining),
    owner: config.get('owner') ?? '',
    incarnation: config.get('incarnation') ?? '',
    incarnationStartedAt: startMs === undefined ? undefined : new Date(Number(startMs)),
    buyers: new Map([...pairs(buyersFlat)].map(([user, units]) => [user, Number(units)])),
    outbox: outbox.map(outboxPurchase),
  };
}

/** Registers the scripts once per connection; ioredis calls them by SHA and reloads on NOSCRIPT. */
function withSaleScripts(redis: RedisClient): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  if (typeof scripted.configureSale !== 'function') {
    redis.defineCommand('configureSale', { numberOfKeys: 3, lua: configureSaleLua });
    redis.defineCommand('readSale', { numberOfKeys: 2, lua: readSaleLua });
    redis.defineCommand('stopSale', { numberOfKeys: 1, lua: stopSaleLua });
    redis.defineCommand('readLedger', { numberOfKeys: 4, lua: readLedgerLua });
  }
  return scripted;
}

function parseDefinition(name: string, flat: readonly string[]): SaleDefinition {
  const fields = pairs(flat);
  const number = (field: string): number => Number(fields.get(field) ?? 0);
  return {
    name,
    sku: fields.get('sku') ?? '',
    title: fields.get('title') ?? '',
    priceCents: number('priceCents'),
    ...optionalProductFields(fields),
    stock: number('stock'),
    perUserLimit: number('perUserLimit'),
    startsAt: new Date(number('startsAtMs')),
    endsAt: new Date(number('endsAtMs')),
  };
}

/** product.imageUrl and product.description, present only when the sale has them. */
function optionalProductFields(
  fields: ReadonlyMap<string, string>,
): Pick<SaleDefinition, 'imageUrl' | 'description'> {
  const imageUrl = fields.get('imageUrl');
  const description = fields.get('description');
  return { ...(imageUrl ? { imageUrl } : {}), ...(description ? { description } : {}) };
}

/** Sales as Redis holds them: the one place that configures, reads and removes them. */
export class SaleStore {
  private readonly redis: ScriptedRedis;

  constructor(redis: RedisClient) {
    this.redis = withSaleScripts(redis);
  }

  /**
   * Applies a definition. `generation` is the FlashSale's metadata.generation (0 when the
   * caller has none, e.g. the CLI); an older generation than the stored one is refused.
   */
  async configure(definition: SaleDefinition, generation = 0): Promise<ConfigureResult> {
    const {
      status,
      sold,
      remaining,
      generation: stored,
    } = await this.claim(definition, generation, anonymousClaim);
    return { status, sold, remaining, generation: stored };
  }

  /**
   * Applies a definition on behalf of `claim.owner`: like `configure`, and a name that
   * another owner holds is refused before anything changes. `reseed` seeds a sale whose
   * keys were lost with what its lost incarnation had sold.
   */
  async claim(
    definition: SaleDefinition,
    generation: number,
    claim: SaleClaim,
    reseed?: SaleReseed,
  ): Promise<ClaimResult> {
    const keys = saleKeys(definition.name);
    const units = [...(reseed?.units ?? new Map<string, number>())].filter(([, n]) => n > 0);
    // Before the sale is configured, so no purchase can be added to a list meanwhile.
    if (reseed) await this.seedPurchaseLists(definition.name, reseed.purchases);
    // Indexed before it can sell: the relay finds outboxes through the index, so a sale
    // configured but not indexed (a crash between the two writes) would keep its purchases
    // in Redis for ever. An index entry without a sale is harmless.
    await this.redis.sadd(salesIndexKey, definition.name);
    const reply = await this.redis.configureSale(
      keys.config,
      keys.remaining,
      keys.buyers,
      definition.sku,
      definition.title,
      definition.priceCents,
      definition.stock,
      definition.perUserLimit,
      definition.startsAt.getTime(),
      definition.endsAt.getTime(),
      generation,
      changesChannelFor(this.redis.options.keyPrefix),
      definition.name,
      definition.imageUrl ?? '',
      definition.description ?? '',
      claim.owner,
      claim.incarnation,
      reseed?.incarnationStartedAt.getTime() ?? 0,
      units.reduce((sum, [, n]) => sum + n, 0),
      ...units.flat(),
    );
    const [status, sold, remaining, storedGeneration, owner, incarnation, startMs] = reply;
    return {
      status,
      sold,
      remaining,
      generation: storedGeneration,
      owner,
      incarnation,
      incarnationStartedAt: new Date(startMs),
    };
  }

  /**
   * Puts a lost incarnation's purchases back in their buyers' lists (`/purchases/me`),
   * adding only those a list does not hold yet, so a repeated reseed changes nothing.
   */
  private async seedPurchaseLists(
    sale: string,
    purchases: readonly OutboxPurchase[],
  ): Promise<void> {
    const byUser = new Map<string, OutboxPurchase[]>();
    for (const purchase of purchases) {
      const own = byUser.get(purchase.userId);
      if (own) own.push(purchase);
      else byUser.set(purchase.userId, [purchase]);
    }
    const users = [...byUser.keys()];
    const keys = saleKeys(sale);
    for (let from = 0; from < users.length; from += seedChunkUsers) {
      const chunk = users.slice(from, from + seedChunkUsers);
      const reads = this.redis.pipeline();
      for (const user of chunk) reads.lrange(keys.userPurchases(user), 0, -1);
      const held = (await reads.exec()) ?? [];
      const writes = this.redis.pipeline();
      chunk.forEach((user, index) => {
        const [error, stored] = held[index] ?? [new Error('no reply')];
        if (error) throw error;
        const ids = new Set((stored as string[]).map((json) => outboxPurchase(json).purchaseId));
        const missing = (byUser.get(user) ?? []).filter((p) => !ids.has(p.purchaseId));
        if (missing.length > 0)
          writes.rpush(
            keys.userPurchases(user),
            ...missing.map((purchase) => encodeStoredPurchase({ ...purchase, sale })),
          );
      });
      if (writes.length === 0) continue;
      const failed = ((await writes.exec()) ?? []).find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    }
  }

  /**
   * The first step of deleting a sale: closes it atomically, so no purchase is accepted from
   * here on and it cannot be configured again. `owner` '' stops it whoever owns it.
   */
  async stop(name: string, owner: string): Promise<{ status: StopStatus; owner: string }> {
    const [status, storedOwner] = await this.redis.stopSale(
      saleKeys(name).config,
      owner,
      changesChannelFor(this.redis.options.keyPrefix),
      name,
    );
    return { status, owner: storedOwner };
  }

  /** What the relay has not yet handed to Kafka: entries in the outbox, and those in flight. */
  async outboxBacklog(name: string): Promise<{ length: number; pending: number }> {
    const outbox = saleKeys(name).outbox;
    const length = await this.redis.xlen(outbox);
    const pending = await this.redis.xpending(outbox, outboxGroup).then(
      (reply) => Number((reply as [number])[0] ?? 0),
      (error: unknown) => {
        // No stream or no consumer group yet: nothing was ever read, so nothing is in flight.
        if (error instanceof Error && /NOGROUP|no such key/i.test(error.message)) return 0;
        throw error;
      },
    );
    return { length, pending };
  }

  /** When the sale's current incarnation began (undefined: no sale, or one from before). */
  async incarnationStartedAt(name: string): Promise<Date | undefined> {
    const startMs = await this.redis.hget(saleKeys(name).config, 'incarnationStartMs');
    return startMs === null ? undefined : new Date(Number(startMs));
  }

  /** The sale's configuration, ledger of buyers and outbox, read atomically. */
  async ledger(name: string): Promise<SaleLedger> {
    const keys = saleKeys(name);
    return toLedger(
      await this.redis.readLedger(keys.config, keys.remaining, keys.buyers, keys.outbox),
    );
  }

  async read(name: string): Promise<Sale | undefined> {
    const keys = saleKeys(name);
    const reply = await this.redis.readSale(keys.config, keys.remaining);
    if (reply.length === 0) return undefined;
    const [config, remaining, nowMs] = reply;
    return toSale(parseDefinition(name, config), remaining, new Date(nowMs));
  }

  async names(): Promise<string[]> {
    return (await this.redis.smembers(salesIndexKey)).sort();
  }

  async list(): Promise<Sale[]> {
    const sales = await Promise.all((await this.names()).map((name) => this.read(name)));
    return sales.filter((sale): sale is Sale => sale !== undefined);
  }

  /** Stock accounting of one sale: what was configured, sold, remains, and waits in the outbox. */
  async levels(
    name: string,
  ): Promise<
    { stock: number; sold: number; remaining: number; outboxPending: number } | undefined
  > {
    const keys = saleKeys(name);
    const [stock, remaining, outboxPending] = await Promise.all([
      this.redis.hget(keys.config, 'stock'),
      this.redis.get(keys.remaining),
      this.redis.xlen(keys.outbox),
    ]);
    if (stock === null) return undefined;
    return {
      stock: Number(stock),
      sold: Number(stock) - Number(remaining),
      remaining: Number(remaining),
      outboxPending,
    };
  }

  /**
   * Deletes every key a sale has in Redis (UNLINK), its configuration last, so the sale
   * stays closed (stopped) or absent while the others go; PostgreSQL keeps its purchases.
   * Callers that may hold undelivered purchases stop the sale and wait for its outbox first.
   * On a cluster every master is scanned: the keys share one slot, but a slot that moved
   * mid-scan must not leave keys behind on its old master unseen.
   */
  async remove(name: string): Promise<number> {
    // Out of the index first, so that no relay recreates the outbox stream it no longer lists.
    await this.redis.srem(salesIndexKey, name);
    let removed = 0;
    for (const node of masters(this.redis)) removed += await this.removeFrom(node, name);
    removed += await this.redis.unlink(saleKeys(name).config);
    await this.redis.publish(changesChannelFor(this.redis.options.keyPrefix), name);
    return removed;
  }

  /** SCANs one server for the sale's keys and unlinks them (through the client, by slot). */
  private async removeFrom(node: Redis, name: string): Promise<number> {
    const prefix = this.redis.options.keyPrefix ?? '';
    let removed = 0;
    let cursor = '0';
    do {
      const [next, found] = await node.scan(
        cursor,
        'MATCH',
        `${prefix}${saleKeys(name).pattern}`,
        'COUNT',
        500,
      );
      cursor = next;
      // SCAN (which no client prefixes) returns full key names; UNLINK through the client
      // adds the prefix again, so strip it.
      const others = found
        .map((key) => key.slice(prefix.length))
        .filter((key) => key !== saleKeys(name).config);
      if (others.length > 0) removed += await this.redis.unlink(...others);
    } while (cursor !== '0');
    return removed;
  }
}
