import { Agent, get, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { Sale } from '@flashsale/contract';
import {
  eventually,
  isolatedNames,
  RawStream,
  rawExchange,
  type RawAnswer,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';
import { createLogger } from '@flashsale/runtime';
import type { SaleDefinition } from '../sales/sale-definition.ts';
import { saleKeys } from '../sales/sale-keys.ts';
import { SaleStore } from '../sales/sale-store.ts';
import { startApiServer, type ApiServer } from './api-server.ts';
import { apiConfigSchema, type ApiConfig } from './config.ts';

const secret = 'api-spec-secret-with-at-least-32-characters';
const minute = 60_000;
const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const saleFields = [
  'endsAt',
  'name',
  'perUserLimit',
  'priceCents',
  'remaining',
  'serverTime',
  'sku',
  'startsAt',
  'state',
  'stock',
  'title',
];

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: unknown;
}

interface CallOptions {
  readonly method?: string;
  readonly token?: string;
  /** Sent as JSON with Content-Type: application/json. */
  readonly json?: unknown;
  /** Sent as is (set the Content-Type in `headers`). */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function requestInit(options: CallOptions): RequestInit {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  return body === undefined ? { method, headers } : { method, headers, body };
}

function tokenFor(
  userId: string,
  options: { key?: string; expiresAt?: number | string | null; alg?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject(userId)
    .setIssuedAt();
  // `expiresAt: null` leaves the token without `exp`.
  if (options.expiresAt !== null) jwt.setExpirationTime(options.expiresAt ?? '10m');
  return jwt.sign(new TextEncoder().encode(options.key ?? secret));
}

/** A request with any method (fetch refuses TRACE), answered as an `Answer`. */
function nodeCall(
  url: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const flat = Object.entries(response.headers).map(([name, value]): [string, string] => [
          name,
          String(value),
        ]);
        resolve({
          status: response.statusCode ?? 0,
          headers: new Headers(flat),
          text,
          body: parseBody(text),
        });
      });
    });
    sent.on('error', reject);
    sent.end();
  });
}

function expectRawError(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).withContext(answer.body).toBe(status);
  expect(answer.headers.get('content-type')).toContain('application/json');
  expect(parseBody(answer.body))
    .withContext(answer.body)
    .toEqual({ error: { code, message: jasmine.any(String) } });
}

/** The series (name and labels, without the value) of one metric, sorted. */
function seriesOf(exposition: string, name: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => line.slice(0, line.lastIndexOf(' ')))
    .sort();
}

const portOf = (origin: string): number => Number(new URL(origin).port);

function expectError(answer: Answer, status: number, code: string): void {
  expect(answer.status).withContext(answer.text).toBe(status);
  expect(answer.body)
    .withContext(answer.text)
    .toEqual({ error: { code, message: jasmine.any(String) } });
}

function purchaseLike(sale: string, userId: string, quantity = 1): unknown {
  return {
    purchaseId: jasmine.stringMatching(/^[0-9a-f-]{36}$/),
    sale,
    userId,
    quantity,
    purchasedAt: jasmine.stringMatching(rfc3339),
    status: 'confirmed',
  };
}

/** The value of one sample of a Prometheus text exposition, found by name and labels. */
function sampleValue(
  exposition: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([label, value]) => found.get(label) === value))
      return Number(match[3]);
  }
  return undefined;
}

/** Reads `event: sale` messages of a Server-Sent-Events response as they arrive. */
class SaleEventReader {
  private buffer = '';
  private readonly sales: Sale[] = [];
  readonly pumping: Promise<void>;

  constructor(body: ReadableStream<Uint8Array>) {
    this.pumping = this.pump(body).catch(() => undefined);
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of body) {
      this.buffer += decoder.decode(chunk, { stream: true });
      const blocks = this.buffer.split('\n\n');
      this.buffer = blocks.pop() ?? '';
      for (const block of blocks) this.take(block);
    }
  }

  private take(block: string): void {
    const lines = block.split('\n');
    if (!lines.includes('event: sale')) return;
    const data = lines.find((line) => line.startsWith('data: '));
    if (data) this.sales.push(JSON.parse(data.slice('data: '.length)) as Sale);
  }

  async next(timeoutMs: number): Promise<Sale> {
    const deadline = Date.now() + timeoutMs;
    while (this.sales.length === 0) {
      if (Date.now() > deadline) throw new Error(`no sale event within ${timeoutMs} ms`);
      await sleep(10);
    }
    return this.sales.shift() as Sale;
  }
}

describe('api: HTTP contract of the API process against the real stack', () => {
  const { redisPrefix } = isolatedNames('api-app');
  const logger = createLogger('api-spec', 'silent');
  let redisUrl = '';
  let redis: Redis;
  let store: SaleStore;
  let api: ApiServer;
  let base = '';
  let saleCount = 0;
  const extraServers: ApiServer[] = [];

  const configWith = (env: Record<string, string>): ApiConfig => ({
    ...apiConfigSchema.parse({
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: redisPrefix,
      AUTH_JWT_SECRET: secret,
      HOST: '127.0.0.1',
      SHUTDOWN_READINESS_DELAY_MS: '0',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    PORT: 0,
  });

  const startExtraServer = async (env: Record<string, string>): Promise<string> => {
    const server = await startApiServer(configWith(env), logger);
    extraServers.push(server);
    return `http://127.0.0.1:${server.port}`;
  };

  const call = async (path: string, options: CallOptions = {}, origin = base): Promise<Answer> => {
    const response = await fetch(`${origin}${path}`, requestInit(options));
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: parseBody(text) };
  };

  const purchase = async (
    sale: string,
    userId: string,
    options: { json?: unknown; idempotencyKey?: string } = {},
  ): Promise<Answer> =>
    call(`/api/sales/${sale}/purchases`, {
      token: await tokenFor(userId),
      json: options.json ?? { quantity: 1 },
      headers: options.idempotencyKey ? { 'Idempotency-Key': options.idempotencyKey } : {},
    });

  const newSale = async (overrides: Partial<SaleDefinition> = {}): Promise<SaleDefinition> => {
    saleCount += 1;
    const definition: SaleDefinition = {
      name: `drop-${saleCount}`,
      sku: `SKU-${saleCount}`,
      title: `Drop number ${saleCount}`,
      priceCents: 4200,
      stock: 10,
      perUserLimit: 1,
      startsAt: new Date(Date.now() - minute),
      endsAt: new Date(Date.now() + 60 * minute),
      ...overrides,
    };
    expect((await store.configure(definition)).status).toBe('ok');
    return definition;
  };

  const metricsText = async (): Promise<string> => (await call('/metrics')).text;

  beforeAll(async () => {
    redisUrl = (await useStack()).REDIS_URL;
    redis = new Redis(redisUrl, { keyPrefix: redisPrefix });
    store = new SaleStore(redis);
    api = await startApiServer(
      configWith({
        AUTH_DEV_LOGIN: 'true',
        PURCHASE_RATE_LIMIT: '3',
        PURCHASE_RATE_WINDOW_MS: '10000',
      }),
      logger,
      // An hour: in these specs only the change feed can clear what memory answers.
      { saleAnswerTtlMs: 3_600_000 },
    );
    base = `http://127.0.0.1:${api.port}`;
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await Promise.all(
      [api, ...extraServers].map((server) => server.shutdown().catch(() => undefined)),
    );
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(redisPrefix.length)));
    await redis.quit();
  }, 30_000);

  describe('health', () => {
    it('answers /healthz 200 and /readyz 200 while Redis is reachable', async () => {
      const health = await call('/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      const ready = await call('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
    });

    it('fails /readyz with 503 as soon as shutdown() has begun, then stops accepting', async () => {
      const server = await startApiServer(
        configWith({ SHUTDOWN_READINESS_DELAY_MS: '1500' }),
        logger,
      );
      const origin = `http://127.0.0.1:${server.port}`;
      expect((await call('/readyz', {}, origin)).status).toBe(200);

      const stopping = server.shutdown();
      const notReady = await call('/readyz', {}, origin);
      expect(notReady.status).toBe(503);
      expect(notReady.body).toEqual({ status: 'not_ready' });
      expect((await call('/healthz', {}, origin)).status).toBe(200);
      await stopping;
      await expectAsync(fetch(`${origin}/healthz`)).toBeRejected();
    });

    it('answers with Connection: close while draining, so keep-alive clients reconnect elsewhere', async () => {
      const server = await startApiServer(
        configWith({ SHUTDOWN_READINESS_DELAY_MS: '1500' }),
        logger,
      );
      const connectionHeader = (): Promise<string | undefined> =>
        new Promise((resolve, reject) => {
          const request = get(
            `http://127.0.0.1:${server.port}/healthz`,
            { agent: keepAlive },
            (res) => {
              res.resume();
              resolve(res.headers.connection);
            },
          );
          request.on('error', reject);
        });
      const keepAlive = new Agent({ keepAlive: true });
      try {
        expect(await connectionHeader()).toBe('keep-alive');
        const stopping = server.shutdown();
        expect(await connectionHeader()).toBe('close');
        await stopping;
      } finally {
        keepAlive.destroy();
      }
    });
  });

  describe('sales', () => {
    it('GET /api/sales/{sale} answers 200 with the exact Sale', async () => {
      const definition = await newSale({ stock: 7, perUserLimit: 2, priceCents: 12_900 });
      const answer = await call(`/api/sales/${definition.name}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('application/json');
      expect(answer.body).toEqual({
        name: definition.name,
        title: definition.title,
        sku: definition.sku,
        priceCents: 12_900,
        stock: 7,
        remaining: 7,
        perUserLimit: 2,
        startsAt: definition.startsAt.toISOString(),
        endsAt: definition.endsAt.toISOString(),
        state: 'active',
        serverTime: jasmine.stringMatching(rfc3339),
      });
      const serverTime = Date.parse((answer.body as Sale).serverTime);
      expect(Math.abs(serverTime - Date.now())).toBeLessThan(5000);
    });

    it('GET /api/sales lists every sale, by name, with state upcoming, active, sold_out and ended', async () => {
      const upcoming = await newSale({
        startsAt: new Date(Date.now() + 10 * minute),
        endsAt: new Date(Date.now() + 20 * minute),
      });
      const active = await newSale();
      const soldOut = await newSale({ stock: 0 });
      const ended = await newSale({
        startsAt: new Date(Date.now() - 20 * minute),
        endsAt: new Date(Date.now() - minute),
      });
      const answer = await call('/api/sales');
      expect(answer.status).toBe(200);
      const sales = answer.body as Sale[];
      const stateOf = (name: string): string | undefined =>
        sales.find((sale) => sale.name === name)?.state;
      expect(stateOf(upcoming.name)).toBe('upcoming');
      expect(stateOf(active.name)).toBe('active');
      expect(stateOf(soldOut.name)).toBe('sold_out');
      expect(stateOf(ended.name)).toBe('ended');
      const names = sales.map((sale) => sale.name);
      expect(names).toEqual([...names].sort());
      for (const sale of sales) expect(Object.keys(sale).sort()).toEqual(saleFields);
    });

    it('streams `event: sale` with the Sale at once and again promptly after a purchase (well before the 5 s heartbeat)', async () => {
      const definition = await newSale({ stock: 3 });
      const controller = new AbortController();
      const response = await fetch(`${base}/api/sales/${definition.name}/events`, {
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const events = new SaleEventReader(response.body as ReadableStream<Uint8Array>);
      try {
        const first = await events.next(3000);
        expect(first).toEqual({
          ...((await call(`/api/sales/${definition.name}`)).body as Sale),
          serverTime: jasmine.any(String) as unknown as string,
        });
        expect(first.remaining).toBe(3);

        expect((await purchase(definition.name, 'sse-buyer')).status).toBe(201);
        const update = await events.next(3000);
        expect(update.name).toBe(definition.name);
        expect(update.remaining).toBe(2);
        expect(update.state).toBe('active');
      } finally {
        controller.abort();
        await events.pumping;
      }
    });
  });

  describe('purchases', () => {
    it('confirms with 201 and the exact Purchase, replays the Idempotency-Key with 200 and lists it in /me', async () => {
      const { name } = await newSale({ stock: 5, perUserLimit: 2 });
      const first = await purchase(name, 'mia', { idempotencyKey: 'order-1' });
      expect(first.status).toBe(201);
      expect(first.body).toEqual(purchaseLike(name, 'mia'));
      expect(Object.keys(first.body as object).sort()).toEqual([
        'purchaseId',
        'purchasedAt',
        'quantity',
        'sale',
        'status',
        'userId',
      ]);

      const replay = await purchase(name, 'mia', { idempotencyKey: 'order-1' });
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual(first.body);
      expect(await redis.get(saleKeys(name).remaining)).toBe('4');

      const mine = await call(`/api/sales/${name}/purchases/me`, { token: await tokenFor('mia') });
      expect(mine.status).toBe(200);
      expect(mine.body).toEqual([first.body]);
      const none = await call(`/api/sales/${name}/purchases/me`, { token: await tokenFor('noah') });
      expect(none.status).toBe(200);
      expect(none.body).toEqual([]);
    });

    it('takes the default quantity 1 from an empty body and the user id only from the token', async () => {
      const { name } = await newSale({ stock: 5, perUserLimit: 3 });
      const empty = await call(`/api/sales/${name}/purchases`, {
        method: 'POST',
        token: await tokenFor('olga'),
      });
      expect(empty.status).withContext(empty.text).toBe(201);
      expect(empty.body).toEqual(purchaseLike(name, 'olga', 1));
      const two = await purchase(name, 'olga', { json: { quantity: 2 } });
      expect(two.status).toBe(201);
      expect(two.body).toEqual(purchaseLike(name, 'olga', 2));
      expect(await redis.hget(saleKeys(name).buyers, 'olga')).toBe('3');
    });

    it('answers 409 not_started before the start and sells nothing', async () => {
      const { name } = await newSale({
        startsAt: new Date(Date.now() + 10 * minute),
        endsAt: new Date(Date.now() + 20 * minute),
      });
      expectError(await purchase(name, 'pia'), 409, 'not_started');
      expect(await redis.get(saleKeys(name).remaining)).toBe('10');
    });

    it('answers 409 ended after the end and sells nothing', async () => {
      const { name } = await newSale({
        startsAt: new Date(Date.now() - 20 * minute),
        endsAt: new Date(Date.now() - minute),
      });
      expectError(await purchase(name, 'quinn'), 409, 'ended');
      expect(await redis.get(saleKeys(name).remaining)).toBe('10');
    });

    it('answers 409 limit_reached past perUserLimit', async () => {
      const { name } = await newSale({ perUserLimit: 1 });
      expect((await purchase(name, 'rosa')).status).toBe(201);
      expectError(await purchase(name, 'rosa'), 409, 'limit_reached');
      expect(await redis.hget(saleKeys(name).buyers, 'rosa')).toBe('1');
    });

    it('answers 410 sold_out, then from memory without asking Redis, and counts both', async () => {
      const { name } = await newSale({ stock: 2 });
      expect((await purchase(name, 'sold-a')).status).toBe(201);
      expect((await purchase(name, 'sold-b')).status).toBe(201);
      expectError(await purchase(name, 'sold-c'), 410, 'sold_out');

      // Behind the API's back (no change published): Redis would now say sale_not_found.
      await redis.del(saleKeys(name).config, saleKeys(name).remaining);
      expectError(await call(`/api/sales/${name}`), 404, 'sale_not_found');
      expectError(await purchase(name, 'sold-d'), 410, 'sold_out');

      const metrics = await metricsText();
      const attempts = (result: string): number | undefined =>
        sampleValue(metrics, 'flashsale_purchase_attempts_total', { sale: name, result });
      expect(attempts('confirmed')).toBe(2);
      expect(attempts('sold_out')).toBe(2);
    });

    it('sells again at once after a restock: the change feed clears the sold-out memory', async () => {
      const definition = await newSale({ stock: 1 });
      expect((await purchase(definition.name, 'restock-a')).status).toBe(201);
      expectError(await purchase(definition.name, 'restock-b'), 410, 'sold_out');

      expect((await store.configure({ ...definition, stock: 3 })).remaining).toBe(2);
      // The memory's time-to-live is an hour here: only the change feed can clear it.
      const statuses: number[] = [];
      await eventually('a purchase confirmed after the restock', async () => {
        const status = (await purchase(definition.name, `restock-${statuses.length}-c`)).status;
        statuses.push(status);
        return status === 201 ? status : undefined;
      });
      expect(statuses.filter((status) => status !== 410 && status !== 201)).toEqual([]);
    });

    it('answers 404 sale_not_found once a sold-out sale is removed', async () => {
      const { name } = await newSale({ stock: 1 });
      expect((await purchase(name, 'removed-a')).status).toBe(201);
      expectError(await purchase(name, 'removed-b'), 410, 'sold_out');

      await store.remove(name);
      let attempt = 0;
      await eventually('404 for the removed sale', async () => {
        attempt += 1;
        const status = (await purchase(name, `removed-${attempt}-c`)).status;
        return status === 404 ? status : undefined;
      });
      expectError(await call(`/api/sales/${name}`), 404, 'sale_not_found');
      expect(((await call('/api/sales')).body as Sale[]).map((sale) => sale.name)).not.toContain(
        name,
      );
    });

    it('replays the last unit to its buyer with 200 even after the sale sold out', async () => {
      // The buyer's 201 was lost; the retry with the same Idempotency-Key must get the purchase.
      const { name } = await newSale({ stock: 1 });
      const first = await purchase(name, 'last-buyer', { idempotencyKey: 'retry-me' });
      expect(first.status).toBe(201);
      expectError(await purchase(name, 'too-late'), 410, 'sold_out');

      const retry = await purchase(name, 'last-buyer', { idempotencyKey: 'retry-me' });
      expect(retry.status).withContext(retry.text).toBe(200);
      expect(retry.body).toEqual(first.body);
    });

    it('answers 429 rate_limited with Retry-After past the attempts per window', async () => {
      const { name } = await newSale({ stock: 20, perUserLimit: 10 });
      for (let attempt = 0; attempt < 3; attempt += 1)
        expect((await purchase(name, 'rapid')).status).toBe(201);
      const limited = await purchase(name, 'rapid');
      expectError(limited, 429, 'rate_limited');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBeTrue();
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(10);
      expect(await redis.hget(saleKeys(name).buyers, 'rapid')).toBe('3');
      expect((await purchase(name, 'patient')).status).toBe(201);
    });

    it('exposes flashsale_purchase_attempts_total by sale and result with exact counts', async () => {
      const { name } = await newSale({ stock: 10 });
      for (const user of ['m-1', 'm-2', 'm-3'])
        expect((await purchase(name, user)).status).toBe(201);
      expect((await purchase(name, 'm-1')).status).toBe(409);
      expect((await purchase(name, 'm-4', { json: { quantity: 0 } })).status).toBe(400);

      const answer = await call('/metrics');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('text/plain');
      const attempts = (result: string): number | undefined =>
        sampleValue(answer.text, 'flashsale_purchase_attempts_total', { sale: name, result });
      expect(attempts('confirmed')).toBe(3);
      expect(attempts('limit_reached')).toBe(1);
      expect(attempts('rejected')).toBe(1);
      expect(sampleValue(answer.text, 'flashsale_stock_remaining', { sale: name })).toBe(7);
      expect(answer.text).toContain('http_request_duration_seconds_bucket{');
    });
  });

  describe('order of checks: what memory knows comes before the token and the body', () => {
    const malformed = (token?: string): CallOptions => ({
      method: 'POST',
      raw: '{"quantity": ',
      headers: { 'Content-Type': 'application/json' },
      ...(token === undefined ? {} : { token }),
    });
    const errorOf = (answer: Answer): unknown => answer.body;

    it('answers a sold-out sale 410 to a request with an invalid token and a malformed body', async () => {
      const { name } = await newSale({ stock: 1 });
      expect((await purchase(name, 'order-a')).status).toBe(201);
      const fromRedis = await purchase(name, 'order-b');
      expectError(fromRedis, 410, 'sold_out');

      const path = `/api/sales/${name}/purchases`;
      for (const options of [malformed('not-a-jwt'), malformed(), { method: 'POST' }]) {
        const answer = await call(path, options);
        expect(answer.status).withContext(answer.text).toBe(410);
        expect(answer.body).toEqual(fromRedis.body);
        expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      }
      const metrics = await metricsText();
      expect(
        sampleValue(metrics, 'flashsale_purchase_attempts_total', {
          sale: name,
          result: 'sold_out',
        }),
      ).toBe(4);
    });

    it('answers from memory before Koa with exactly the headers and body Koa gives', async () => {
      const cors = await startExtraServer({ CORS_ORIGIN: 'http://shop.localhost' });
      const { name } = await newSale({ stock: 1 });
      const path = `/api/sales/${name}/purchases`;
      const purchaseOptions = async (
        user: string,
        headers: Record<string, string> = {},
      ): Promise<CallOptions> => ({
        method: 'POST',
        token: await tokenFor(user),
        json: { quantity: 1 },
        headers,
      });
      expect((await call(path, await purchaseOptions('parity-a'), cors)).status).toBe(201);
      // Through Koa to Redis: an Idempotency-Key is never answered from memory.
      const viaKoa = await call(
        path,
        await purchaseOptions('parity-b', { 'Idempotency-Key': 'parity-b-1' }),
        cors,
      );
      expectError(viaKoa, 410, 'sold_out');
      const fromMemory = await call(path, malformed('not-a-jwt'), cors);
      const comparable = (answer: Answer): Array<[string, string]> =>
        [...answer.headers.entries()].filter(
          ([header]) => !['date', 'connection', 'keep-alive'].includes(header),
        );
      expect([fromMemory.status, fromMemory.text]).toEqual([viaKoa.status, viaKoa.text]);
      expect(comparable(fromMemory)).toEqual(comparable(viaKoa));
      expect(fromMemory.headers.get('vary')).toBe('Origin');
      expect(fromMemory.headers.get('access-control-allow-origin')).toBe('http://shop.localhost');
    });

    it('answers not-started and ended sales 409 with the same body, whatever the token and body', async () => {
      const upcoming = await newSale({
        startsAt: new Date(Date.now() + 10 * minute),
        endsAt: new Date(Date.now() + 20 * minute),
      });
      const ended = await newSale({
        startsAt: new Date(Date.now() - 20 * minute),
        endsAt: new Date(Date.now() - minute),
      });
      for (const [sale, code] of [
        [upcoming.name, 'not_started'],
        [ended.name, 'ended'],
      ] as const) {
        const fromRedis = await purchase(sale, 'order-c');
        expectError(fromRedis, 409, code);
        const fromMemory = await call(`/api/sales/${sale}/purchases`, malformed('not-a-jwt'));
        expect(fromMemory.status).withContext(fromMemory.text).toBe(409);
        expect(errorOf(fromMemory)).toEqual(errorOf(fromRedis));
      }
      expect(
        (errorOf(await purchase(upcoming.name, 'order-d')) as { error: { message: string } }).error
          .message,
      ).toBe(`the sale starts at ${upcoming.startsAt.toISOString()}`);
    });

    it('answers an unknown sale 404 before the token, and sells once the sale is configured', async () => {
      saleCount += 1;
      const name = `order-later-${saleCount}`;
      const fromRedis = await purchase(name, 'order-e');
      expectError(fromRedis, 404, 'sale_not_found');
      const fromMemory = await call(`/api/sales/${name}/purchases`, malformed('not-a-jwt'));
      expect(fromMemory.status).toBe(404);
      expect(fromMemory.body).toEqual(fromRedis.body);

      await store.configure({
        name,
        sku: 'SKU-later',
        title: 'Configured after a first attempt',
        priceCents: 100,
        stock: 1,
        perUserLimit: 1,
        startsAt: new Date(Date.now() - minute),
        endsAt: new Date(Date.now() + 60 * minute),
      });
      // Inside the memory's 2 s safety TTL: only the change feed can clear it.
      const statuses: number[] = [];
      const deadline = Date.now() + 1500;
      while (!statuses.includes(201) && Date.now() < deadline) {
        statuses.push((await purchase(name, 'order-f')).status);
        await sleep(50);
      }
      expect(statuses.at(-1)).toBe(201);
      expect(statuses.filter((status) => status !== 404 && status !== 201)).toEqual([]);
    });

    it('still checks the token of a request with an Idempotency-Key to a sold-out sale, and replays its purchase', async () => {
      const { name } = await newSale({ stock: 1 });
      const first = await purchase(name, 'order-g', { idempotencyKey: 'order-g-1' });
      expect(first.status).toBe(201);
      expectError(await purchase(name, 'order-h'), 410, 'sold_out');

      const forged = await call(`/api/sales/${name}/purchases`, {
        ...malformed('not-a-jwt'),
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'order-g-1' },
      });
      expectError(forged, 401, 'unauthorized');
      const replay = await purchase(name, 'order-g', { idempotencyKey: 'order-g-1' });
      expect(replay.status).withContext(replay.text).toBe(200);
      expect(replay.body).toEqual(first.body);
      const fresh = await purchase(name, 'order-i', { idempotencyKey: 'order-i-1' });
      expectError(fresh, 410, 'sold_out');
    });

    it('checks the token and body first while memory knows nothing of the sale', async () => {
      const { name } = await newSale({ stock: 0 });
      expectError(
        await call(`/api/sales/${name}/purchases`, malformed('not-a-jwt')),
        401,
        'unauthorized',
      );
      expectError(
        await call(`/api/sales/${name}/purchases`, malformed(await tokenFor('order-j'))),
        400,
        'invalid_request',
      );
    });
  });

  describe('400 invalid_request', () => {
    const cases: [string, CallOptions][] = [
      ['quantity 0', { json: { quantity: 0 } }],
      ['quantity "1" (a string)', { json: { quantity: '1' } }],
      ['quantity 1.5', { json: { quantity: 1.5 } }],
      ['an unknown body field userId', { json: { quantity: 1, userId: 'someone-else' } }],
      [
        'malformed JSON',
        { raw: '{"quantity": 1', headers: { 'Content-Type': 'application/json' } },
      ],
      ['a JSON array body', { raw: '[1]', headers: { 'Content-Type': 'application/json' } }],
      [
        'an Idempotency-Key of 129 characters',
        { json: {}, headers: { 'Idempotency-Key': 'k'.repeat(129) } },
      ],
    ];
    for (const [label, options] of cases) {
      it(`answers a purchase with ${label}`, async () => {
        const { name } = await newSale();
        const answer = await call(`/api/sales/${name}/purchases`, {
          ...options,
          method: 'POST',
          token: await tokenFor('victor'),
        });
        expectError(answer, 400, 'invalid_request');
        expect(await redis.get(saleKeys(name).remaining)).toBe('10');
      });
    }

    it('accepts an Idempotency-Key of exactly 128 characters', async () => {
      const { name } = await newSale();
      expect((await purchase(name, 'wendy', { idempotencyKey: 'k'.repeat(128) })).status).toBe(201);
    });
  });

  describe('401 unauthorized', () => {
    const cases: [string, () => Promise<string | undefined>][] = [
      ['no Authorization header', () => Promise.resolve(undefined)],
      ['a garbage token', () => Promise.resolve('not-a-jwt')],
      ['a token signed with another secret', () => tokenFor('xena', { key: `other-${secret}` })],
      [
        'an expired token',
        () => tokenFor('xena', { expiresAt: Math.floor(Date.now() / 1000) - 60 }),
      ],
      ['a token without exp', () => tokenFor('xena', { expiresAt: null })],
      [
        'an unsigned token (alg none)',
        () =>
          Promise.resolve(
            new UnsecuredJWT({}).setSubject('xena').setExpirationTime('10m').encode(),
          ),
      ],
      ['a token signed HS512 with the same secret', () => tokenFor('xena', { alg: 'HS512' })],
      [
        'a token with exp as a string',
        () =>
          new SignJWT({ exp: 'tomorrow' } as unknown as Record<string, unknown>)
            .setProtectedHeader({ alg: 'HS256' })
            .setSubject('xena')
            .sign(new TextEncoder().encode(secret)),
      ],
      [
        'a token whose sub is a number',
        () =>
          new SignJWT({ sub: 42 } as unknown as Record<string, unknown>)
            .setProtectedHeader({ alg: 'HS256' })
            .setExpirationTime('10m')
            .sign(new TextEncoder().encode(secret)),
      ],
    ];
    for (const [label, token] of cases) {
      it(`answers a purchase with ${label}`, async () => {
        const { name } = await newSale();
        const given = await token();
        const answer = await call(`/api/sales/${name}/purchases`, {
          json: { quantity: 1 },
          ...(given === undefined ? {} : { token: given }),
        });
        expectError(answer, 401, 'unauthorized');
        expect(await redis.get(saleKeys(name).remaining)).toBe('10');
      });

      it(`answers /purchases/me with ${label}`, async () => {
        const { name } = await newSale();
        const given = await token();
        const answer = await call(
          `/api/sales/${name}/purchases/me`,
          given === undefined ? {} : { token: given },
        );
        expectError(answer, 401, 'unauthorized');
      });
    }

    it('says why a token without exp is refused', async () => {
      const { name } = await newSale();
      const answer = await call(`/api/sales/${name}/purchases`, {
        json: { quantity: 1 },
        token: await tokenFor('xena', { expiresAt: null }),
      });
      expectError(answer, 401, 'unauthorized');
      expect((answer.body as { error: { message: string } }).error.message).toContain('exp');
    });
  });

  describe('404 sale_not_found', () => {
    const names = ['no-such-sale', 'UPPER', 'a'.repeat(70), 'bad_name'];
    for (const name of names) {
      it(`answers GET, events, purchase and /me for "${name.slice(0, 12)}" (${name.length} chars)`, async () => {
        const token = await tokenFor('yara');
        expectError(await call(`/api/sales/${name}`), 404, 'sale_not_found');
        expectError(await call(`/api/sales/${name}/events`), 404, 'sale_not_found');
        expectError(
          await call(`/api/sales/${name}/purchases`, { token, json: { quantity: 1 } }),
          404,
          'sale_not_found',
        );
        expectError(
          await call(`/api/sales/${name}/purchases/me`, { token }),
          404,
          'sale_not_found',
        );
      });
    }
  });

  describe('transport errors', () => {
    it('answers 413 to a purchase body over 4 KiB', async () => {
      const { name } = await newSale();
      const answer = await call(`/api/sales/${name}/purchases`, {
        token: await tokenFor('zoe'),
        json: { quantity: 1, padding: 'x'.repeat(5000) },
      });
      expectError(answer, 413, 'payload_too_large');
    });

    it('answers 413 to a chunked purchase body over 4 KiB (no Content-Length)', async () => {
      const { name } = await newSale();
      const token = await tokenFor('zoe');
      const status = await new Promise<number>((resolve, reject) => {
        const sent = httpRequest(
          `${base}/api/sales/${name}/purchases`,
          {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        sent.on('error', reject);
        sent.write(`{"quantity": 1, "padding": "${'x'.repeat(3000)}`);
        sent.end(`${'x'.repeat(3000)}"}`);
      });
      expect(status).toBe(413);
      expect(await redis.get(saleKeys(name).remaining)).toBe('10');
    });

    it('answers 415 to a text/plain purchase body', async () => {
      const { name } = await newSale();
      const answer = await call(`/api/sales/${name}/purchases`, {
        token: await tokenFor('zoe'),
        raw: '{"quantity": 1}',
        headers: { 'Content-Type': 'text/plain' },
      });
      expectError(answer, 415, 'unsupported_media_type');
      expect(await redis.get(saleKeys(name).remaining)).toBe('10');
    });

    it('answers an unknown route with 404 and the error body', async () => {
      expectError(await call('/api/nothing-here'), 404, 'not_found');
    });

    it('never answers 5xx to 200 concurrent malformed requests, and keeps serving', async () => {
      const { name } = await newSale({ stock: 5 });
      const token = await tokenFor('storm');
      const noExpiry = await tokenFor('storm', { expiresAt: null });
      const path = `/api/sales/${name}/purchases`;
      const json = { 'Content-Type': 'application/json' };
      const kinds: [string, CallOptions][] = [
        [path, { method: 'POST', token, raw: '{"quantity":', headers: json }],
        [
          path,
          {
            method: 'POST',
            token,
            raw: '{"quantity":1}',
            headers: { 'Content-Type': 'text/plain' },
          },
        ],
        [path, { method: 'POST', token, json: { quantity: 1, pad: 'p'.repeat(6000) } }],
        [path, { method: 'POST', json: { quantity: 1 } }],
        [path, { method: 'POST', token: 'garbage.token.here', json: { quantity: 1 } }],
        ['/api/sales/UPPER/purchases', { method: 'POST', token, json: { quantity: 1 } }],
        [path, { method: 'POST', token, json: { quantity: -1 } }],
        [path, { method: 'POST', token, raw: 'null', headers: json }],
        [
          path,
          { method: 'POST', token, json: {}, headers: { 'Idempotency-Key': 'i'.repeat(200) } },
        ],
        [path, { method: 'POST', token, raw: '\u0000\u00ff{[', headers: json }],
        ['/api/sales/%E0%A4%A', {}],
        [`/api/sales/${name}`, { method: 'DELETE' }],
        [`/api/sales/${name}`, { method: 'PURGE' }],
        [`/api/sales/${name}/purchases`, { method: 'PROPFIND' }],
        [`/api/sales/${name}/events`, { method: 'QUERY' }],
        ['/api/nothing-here', { method: 'LOCK' }],
        [path, { method: 'POST', token: noExpiry, json: { quantity: 1 } }],
        [path, { method: 'POST', token, raw: '{"quantity": 1e400}', headers: json }],
        [path, { method: 'POST', token, json: { quantity: 2_147_483_648 } }],
        ['/api/sales/UPPER/events', {}],
        [`/api/sales/${'n'.repeat(300)}/events`, {}],
      ];
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, index) => {
          const [target, options] = kinds[index % kinds.length] as [string, CallOptions];
          return call(target, options);
        }),
      );
      for (const answer of answers) {
        expect(answer.status).withContext(answer.text).toBeGreaterThanOrEqual(400);
        expect(answer.status).withContext(answer.text).toBeLessThan(500);
        expect(answer.body).toEqual({
          error: { code: jasmine.any(String), message: jasmine.any(String) },
        });
      }
      expect((await call('/healthz')).status).toBe(200);
      expect((await purchase(name, 'after-storm')).status).toBe(201);
      expect(await redis.get(saleKeys(name).remaining)).toBe('4');
    });
  });

  describe('methods no route serves', () => {
    const unserved = ['TRACE', 'PURGE', 'PROPFIND', 'QUERY', 'LOCK', 'PUT', 'PATCH', 'DELETE'];
    for (const method of unserved) {
      it(`answers ${method} on a sale with 405, Allow and the error body, and sells nothing`, async () => {
        const { name } = await newSale();
        const token = await tokenFor('method-probe');
        const sale = await nodeCall(`${base}/api/sales/${name}`, method);
        expectError(sale, 405, 'method_not_allowed');
        expect(sale.headers.get('allow')).toBe('HEAD, GET');
        const purchases = await nodeCall(`${base}/api/sales/${name}/purchases`, method, {
          Authorization: `Bearer ${token}`,
        });
        expectError(purchases, 405, 'method_not_allowed');
        expect(purchases.headers.get('allow')).toBe('POST');
        expect(await redis.get(saleKeys(name).remaining)).toBe('10');
      });
    }

    it('answers any method on a path that does not exist with 404 not_found, never a 5xx', async () => {
      for (const method of ['TRACE', 'PROPFIND', 'QUERY', 'MKCOL', 'PUT', 'GET']) {
        const answer = await nodeCall(`${base}/api/nothing-here`, method);
        expectError(answer, 404, 'not_found');
        expect(answer.headers.get('allow')).toBeNull();
      }
    });

    it('answers methods Node cannot parse, CONNECT and broken request lines with the error body, and keeps serving', async () => {
      const port = api.port;
      const line = (text: string): string => `${text}\r\nHost: 127.0.0.1\r\n\r\n`;
      expectRawError(
        await rawExchange(port, line('BREW /api/sales HTTP/1.1')),
        501,
        'not_implemented',
      );
      expectRawError(
        await rawExchange(port, line('FOO /healthz HTTP/1.1')),
        501,
        'not_implemented',
      );
      expectRawError(
        await rawExchange(port, line('CONNECT example.com:443 HTTP/1.1')),
        501,
        'not_implemented',
      );
      expectRawError(await rawExchange(port, line('GET /a b c HTTP/1.1')), 400, 'invalid_request');
      expectRawError(
        await rawExchange(
          port,
          `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`,
        ),
        431,
        'invalid_request',
      );
      expect((await call('/healthz')).status).toBe(200);
    });

    it('still answers OPTIONS with 200 and Allow', async () => {
      const { name } = await newSale();
      const answer = await nodeCall(`${base}/api/sales/${name}`, 'OPTIONS');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('allow')).toBe('HEAD, GET');
    });
  });

  describe('metric labels', () => {
    it('labels attempts on names that are not configured sales as unknown, so random names add no series', async () => {
      const { name } = await newSale();
      expect((await purchase(name, 'label-real')).status).toBe(201);
      const token = await tokenFor('label-probe');
      const hostile = async (round: number): Promise<void> => {
        for (let index = 0; index < 15; index += 1) {
          const random = `rnd-${round}-${index}-${Math.random().toString(36).slice(2, 8)}`;
          const path = `/api/sales/${random}/purchases`;
          expect((await call(path, { token, json: { quantity: 0 } })).status).toBe(400);
          expect((await call(path, { token, json: { quantity: 1 } })).status).toBe(404);
          expect((await call(`/api/sales/${random}`)).status).toBe(404);
          expect((await call(`/no/such/${random}`)).status).toBe(404);
          expect((await nodeCall(`${base}/api/sales/${random}/x`, 'PURGE')).status).toBe(404);
        }
      };
      await hostile(1);
      await metricsText(); // a scrape is itself observed: its series exists from now on
      const before = await metricsText();
      const unknownBefore =
        sampleValue(before, 'flashsale_purchase_attempts_total', {
          sale: 'unknown',
          result: 'rejected',
        }) ?? 0;
      await hostile(2);
      const after = await metricsText();

      expect(after).not.toContain('rnd-');
      // 15 bodies refused with 400 and 15 decisions that found no sale, all under `unknown`.
      expect(
        sampleValue(after, 'flashsale_purchase_attempts_total', {
          sale: 'unknown',
          result: 'rejected',
        }),
      ).toBe(unknownBefore + 30);
      expect(seriesOf(after, 'flashsale_purchase_attempts_total')).toEqual(
        seriesOf(before, 'flashsale_purchase_attempts_total'),
      );
      expect(seriesOf(after, 'http_request_duration_seconds_count')).toEqual(
        seriesOf(before, 'http_request_duration_seconds_count'),
      );
      expect(
        sampleValue(after, 'flashsale_purchase_attempts_total', {
          sale: name,
          result: 'confirmed',
        }),
      ).toBe(1);
    });

    it('labels a configured sale by its name even before this process decided a purchase in it', async () => {
      const { name } = await newSale();
      // The change feed tells the process about the new sale; no purchase decision is needed.
      await eventually('the new sale to be known to the API', async () => {
        const answer = await purchase(name, 'label-early', { json: { quantity: 0 } });
        if (answer.status !== 400) throw new Error(`expected 400, got ${answer.status}`);
        return sampleValue(await metricsText(), 'flashsale_purchase_attempts_total', {
          sale: name,
          result: 'rejected',
        });
      });
    });
  });

  describe('event stream limits', () => {
    const eventsPath = (sale: string): string => `/api/sales/${sale}/events`;
    const opened: RawStream[] = [];
    afterEach(() => {
      for (const stream of opened.splice(0)) stream.close();
    });
    const open = (
      port: number,
      sale: string,
      options: { localAddress?: string; read?: boolean } = {},
    ): RawStream => {
      const stream = new RawStream({ port, path: eventsPath(sale), ...options });
      opened.push(stream);
      return stream;
    };
    const answered = (stream: RawStream): Promise<RawAnswer> =>
      eventually('the stream to be answered', () => Promise.resolve(stream.answer), 10_000);
    const streaming = async (stream: RawStream): Promise<void> => {
      const answer = await answered(stream);
      expect(answer.status).withContext(answer.body).toBe(200);
      expect(answer.headers.get('content-type')).toContain('text/event-stream');
      await eventually('the first sale event', () =>
        Promise.resolve(stream.saleEvents > 0 ? true : undefined),
      );
    };
    const sseMetric = async (origin: string, name: string, labels: Record<string, string> = {}) => {
      const text = (await call('/metrics', {}, origin)).text;
      if (Object.keys(labels).length > 0) return sampleValue(text, name, labels);
      const line = text.split('\n').find((entry) => entry.startsWith(`${name}{`));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };

    it('refuses a client address past SSE_MAX_CLIENTS_PER_ADDRESS with 429 and Retry-After, and frees the slot on close', async () => {
      const origin = await startExtraServer({ SSE_MAX_CLIENTS_PER_ADDRESS: '2' });
      const port = portOf(origin);
      const { name } = await newSale();
      const first = open(port, name);
      await streaming(first);
      await streaming(open(port, name));
      const third = await answered(open(port, name));
      expectRawError(third, 429, 'rate_limited');
      expect(third.headers.get('retry-after')).toBe('5');
      await streaming(open(port, name, { localAddress: '127.0.0.2' }));
      expect(
        await sseMetric(origin, 'flashsale_sse_rejected_total', { reason: 'address_limit' }),
      ).toBe(1);

      first.close();
      await eventually('the closed stream to free its slot', async () => {
        const again = open(port, name);
        const answer = await answered(again);
        return answer.status === 200 ? true : undefined;
      });
    });

    it('counts a client by the last X-Forwarded-For entry, so a forged first entry does not get past the cap', async () => {
      const origin = await startExtraServer({ SSE_MAX_CLIENTS_PER_ADDRESS: '2' });
      const port = portOf(origin);
      const { name } = await newSale();
      const via = (forged: string): RawStream => {
        const stream = new RawStream({
          port,
          path: eventsPath(name),
          headers: { 'X-Forwarded-For': `${forged}, 203.0.113.9` },
        });
        opened.push(stream);
        return stream;
      };
      await streaming(via('198.51.100.1'));
      await streaming(via('198.51.100.2'));
      expectRawError(await answered(via('198.51.100.3')), 429, 'rate_limited');
    });

    it('refuses past SSE_MAX_CLIENTS with 503 and Retry-After, whatever the address', async () => {
      const origin = await startExtraServer({
        SSE_MAX_CLIENTS: '3',
        SSE_MAX_CLIENTS_PER_ADDRESS: '10',
      });
      const port = portOf(origin);
      const { name } = await newSale();
      for (const address of ['127.0.0.1', '127.0.0.2', '127.0.0.3'])
        await streaming(open(port, name, { localAddress: address }));
      const fourth = await answered(open(port, name, { localAddress: '127.0.0.4' }));
      expectRawError(fourth, 503, 'unavailable');
      expect(fourth.headers.get('retry-after')).toBe('5');
      expect((await purchase(name, 'capped-buyer')).status).toBe(201);
    });

    it('drops a client that reads nothing once its unsent bytes pass SSE_MAX_BUFFERED_BYTES, and keeps serving the others', async () => {
      const origin = await startExtraServer({ SSE_MAX_BUFFERED_BYTES: '65536' });
      const port = portOf(origin);
      // A 256 KiB title makes each event big enough to fill the kernel's socket buffers fast.
      const definition = await newSale({
        title: 't'.repeat(256 * 1024),
        stock: 50,
        perUserLimit: 50,
      });
      const stalled = open(port, definition.name, { read: false });
      const reader = open(port, definition.name);
      await streaming(reader);
      await eventually('both clients to be subscribed', async () =>
        (await sseMetric(origin, 'flashsale_sse_clients')) === 2 ? true : undefined,
      );
      let restock = definition.stock;
      // The kernel takes a few MiB for a socket nobody reads; after that the server's own
      // buffer grows, and the next event finds it past the bound.
      await eventually(
        'the stalled client to be dropped',
        async () => {
          restock += 1;
          await store.configure({ ...definition, stock: restock });
          await sleep(300);
          const clients = await sseMetric(origin, 'flashsale_sse_clients');
          return clients === 1 ? true : undefined;
        },
        90_000,
      );
      expect(
        await sseMetric(origin, 'flashsale_sse_rejected_total', { reason: 'slow_client' }),
      ).toBe(1);
      // Once it reads again, the stalled client finds its connection closed by the server.
      stalled.socket.resume();
      await stalled.closed;
      const seen = reader.saleEvents;
      expect((await purchase(definition.name, 'after-drop')).status).toBe(201);
      await eventually('the reading client to get the next event', () =>
        Promise.resolve(reader.saleEvents > seen ? true : undefined),
      );
      expect(await sseMetric(origin, 'flashsale_sse_clients')).toBe(1);
    }, 150_000);

    it('leaks no subscription or slot when clients leave while the sale is still being read', async () => {
      const origin = await startExtraServer({ SSE_MAX_CLIENTS_PER_ADDRESS: '20' });
      const port = portOf(origin);
      const { name } = await newSale();
      // Every Redis command waits for a second: the streams are mid-setup when they leave.
      await redis.call('CLIENT', 'PAUSE', '1000', 'ALL');
      const leaving = Array.from({ length: 20 }, () => open(port, name));
      await sleep(300);
      for (const stream of leaving) stream.close();
      await eventually('the pause to end', async () =>
        (await redis.ping()) === 'PONG' ? true : undefined,
      );
      await sleep(500);
      expect(await sseMetric(origin, 'flashsale_sse_clients')).toBe(0);
      // All 20 slots of this address are free again.
      const back = Array.from({ length: 20 }, () => open(port, name));
      for (const stream of back) await streaming(stream);
      expect(await sseMetric(origin, 'flashsale_sse_clients')).toBe(20);
    });
  });

  describe('dev login', () => {
    it('answers 200 with a token that identifies the user when AUTH_DEV_LOGIN=true', async () => {
      const login = await call('/api/auth/dev-login', { json: { userId: 'alice' } });
      expect(login.status).toBe(200);
      expect(Object.keys(login.body as object)).toEqual(['token']);
      const { token } = login.body as { token: string };
      const { name } = await newSale();
      const bought = await call(`/api/sales/${name}/purchases`, { token, json: { quantity: 1 } });
      expect(bought.status).toBe(201);
      expect(bought.body).toEqual(purchaseLike(name, 'alice'));
    });

    it('answers 400 to a bad user id or an unknown field', async () => {
      expectError(
        await call('/api/auth/dev-login', { json: { userId: '' } }),
        400,
        'invalid_request',
      );
      expectError(
        await call('/api/auth/dev-login', { json: { userId: 'bad user' } }),
        400,
        'invalid_request',
      );
      expectError(
        await call('/api/auth/dev-login', { json: { userId: 'alice', admin: true } }),
        400,
        'invalid_request',
      );
    });

    it('answers 404 when AUTH_DEV_LOGIN is off, whatever the body', async () => {
      const origin = await startExtraServer({ AUTH_DEV_LOGIN: 'false' });
      const login = (options: CallOptions): Promise<Answer> =>
        call('/api/auth/dev-login', options, origin);
      expectError(await login({ json: { userId: 'alice' } }), 404, 'not_found');
      expectError(
        await login({ raw: '{"userId":', headers: { 'Content-Type': 'application/json' } }),
        404,
        'not_found',
      );
      expectError(
        await login({ raw: 'alice', headers: { 'Content-Type': 'text/plain' } }),
        404,
        'not_found',
      );
    });
  });
});
