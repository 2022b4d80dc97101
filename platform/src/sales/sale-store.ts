import type { Redis } from 'ioredis';
import { luaScript } from '../redis/lua-script.ts';
import type { SaleDefinition } from './sale-definition.ts';
import { changesChannelFor, saleKeys, salesIndexKey } from './sale-keys.ts';
import { toSale, type Sale } from './sale.ts';

export type ConfigureStatus = 'ok' | 'below_sold' | 'stale';

export interface ConfigureResult {
  readonly status: ConfigureStatus;
  readonly sold: number;
  readonly remaining: number;
  readonly generation: number;
}

interface SaleScripts {
  configureSale(...args: (string | number)[]): Promise<[ConfigureStatus, number, number, number]>;
  readSale(config: string, remaining: string): Promise<[] | [string[], number, number]>;
}

type ScriptedRedis = Redis & SaleScripts;

const configureSaleLua = luaScript(import.meta.url, 'configure-sale.lua');
const readSaleLua = luaScript(import.meta.url, 'read-sale.lua');

/** Registers the scripts once per connection; ioredis calls them by SHA and reloads on NOSCRIPT. */
function withSaleScripts(redis: Redis): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  if (typeof scripted.configureSale !== 'function') {
    redis.defineCommand('configureSale', { numberOfKeys: 2, lua: configureSaleLua });
    redis.defineCommand('readSale', { numberOfKeys: 2, lua: readSaleLua });
  }
  return scripted;
}

function parseDefinition(name: string, flat: readonly string[]): SaleDefinition {
  const fields = new Map<string, string>();
  for (let index = 0; index + 1 < flat.length; index += 2)
    fields.set(flat[index] ?? '', flat[index + 1] ?? '');
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

  constructor(redis: Redis) {
    this.redis = withSaleScripts(redis);
  }

  /**
   * Applies a definition. `generation` is the FlashSale's metadata.generation (0 when the
   * caller has none, e.g. the CLI); an older generation than the stored one is refused.
   */
  async configure(definition: SaleDefinition, generation = 0): Promise<ConfigureResult> {
    const keys = saleKeys(definition.name);
    // Indexed before it can sell: the relay finds outboxes through the index, so a sale
    // configured but not indexed (a crash between the two writes) would keep its purchases
    // in Redis for ever. An index entry without a sale is harmless.
    await this.redis.sadd(salesIndexKey, definition.name);
    const [status, sold, remaining, storedGeneration] = await this.redis.configureSale(
      keys.config,
      keys.remaining,
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
    );
    return { status, sold, remaining, generation: storedGeneration };
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

  /** Stops a sale and deletes every key it has in Redis; PostgreSQL keeps its purchases. */
  async remove(name: string): Promise<number> {
    const prefix = this.redis.options.keyPrefix ?? '';
    let removed = 0;
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(
        cursor,
        'MATCH',
        `${prefix}${saleKeys(name).pattern}`,
        'COUNT',
        500,
      );
      cursor = next;
      // SCAN returns full key names; the client adds the prefix again, so strip it.
      if (found.length > 0)
        removed += await this.redis.del(...found.map((key) => key.slice(prefix.length)));
    } while (cursor !== '0');
    await this.redis.srem(salesIndexKey, name);
    await this.redis.publish(changesChannelFor(this.redis.options.keyPrefix), name);
    return removed;
  }
}
