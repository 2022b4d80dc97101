import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { eventually, isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';
import {
  createLogger,
  createRegistry,
  requestPathRedis,
  type RedisClient,
} from '@flashsale/runtime';
import { createApiMetrics } from './api-metrics.ts';
import { PurchaseDecider } from '../purchases/purchase-decider.ts';
import { SaleAnswerCache } from '../purchases/sale-answer-cache.ts';
import { saleKeys } from '../sales/sale-keys.ts';
import { SaleStore } from '../sales/sale-store.ts';
import { startApiServer, type ApiServer } from './api-server.ts';
import { createApp } from './app.ts';
import { TokenVerifier } from './auth.ts';
import { apiConfigSchema } from './config.ts';
import { SaleEventsHub } from './sale-events-hub.ts';

const secret = 'outage-spec-secret-with-at-least-32-chars';

/**
 * A TCP link between the API and the stack's Redis that a spec can cut (connection refused,
 * as when Redis is down) or stall (bytes held back, as when Redis stops answering: they are
 * delivered in order once it resumes, exactly as TCP would).
 */
class RedisLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  private held: { upstream: Socket; data: Buffer }[] = [];
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.bridge(client));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : this.port;
    this.server = server;
  }

  private bridge(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (data: Buffer) => {
      if (this.stalled) this.held.push({ upstream, data });
      else upstream.write(data);
    });
    upstream.pipe(client);
  }

  /** Refuses new connections and drops the open ones. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.server = undefined;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    for (const { upstream, data } of this.held) upstream.write(data);
    this.held = [];
  }
}

function tokenFor(userId: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = text;
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

async function purchaseInit(userId: string, idempotencyKey?: string): Promise<RequestInit> {
  return {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${await tokenFor(userId)}`,
      'Content-Type': 'application/json',
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    },
    body: JSON.stringify({ quantity: 1 }),
  };
}

function expectUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.retryAfter).toBe('1');
  expect(answer.body).toEqual({ error: { code: 'unavailable', message: jasmine.any(String) } });
}

describe('api: Redis outage answers 503 unavailable, never a hang or a 500', () => {
  const { redisPrefix } = isolatedNames('api-outage');
  let redis: Redis;
  let link: RedisLink;
  let api: ApiServer;
  let base = '';
  const sale = 'outage-drop';

  const waitReady = (ready: boolean): Promise<true> =>
    eventually(`/readyz ${ready ? '200' : '503'}`, async () => {
      const { status } = await call(`${base}/readyz`);
      return (status === 200) === ready ? true : undefined;
    });

  beforeAll(async () => {
    const { REDIS_URL } = await useStack();
    const target = new URL(REDIS_URL);
    link = new RedisLink({ host: target.hostname, port: Number(target.port) });
    await link.open();
    redis = new Redis(REDIS_URL, { keyPrefix: redisPrefix });
    await new SaleStore(redis).configure({
      name: sale,
      sku: 'OUT-1',
      title: 'Outage drop',
      priceCents: 100,
      stock: 100,
      perUserLimit: 5,
      startsAt: new Date(Date.now() - 60_000),
      endsAt: new Date(Date.now() + 3_600_000),
    });
    const config = apiConfigSchema.parse({
      REDIS_URL: `redis://127.0.0.1:${link.port}`,
      REDIS_KEY_PREFIX: redisPrefix,
      AUTH_JWT_SECRET: secret,
      HOST: '127.0.0.1',
      SHUTDOWN_READINESS_DELAY_MS: '0',
      PURCHASE_RATE_LIMIT: '0',
    });
    api = await startApiServer({ ...config, PORT: 0 }, createLogger('api-outage', 'silent'));
    base = `http://127.0.0.1:${api.port}`;
  }, stackStartTimeoutMs);

  afterAll(async () => {
    link.resume();
    await link.open();
    await api.shutdown();
    await link.cut();
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(redisPrefix.length)));
    await redis.quit();
  }, 30_000);

  it('answers 503 with Retry-After while Redis refuses connections, and recovers when it is back', async () => {
    await waitReady(true);
    await link.cut();
    await waitReady(false);

    expectUnavailable(await call(`${base}/api/sales`));
    expectUnavailable(await call(`${base}/api/sales/${sale}`));
    expectUnavailable(await call(`${base}/api/sales/${sale}/purchases`, await purchaseInit('u1')));
    expectUnavailable(
      await call(`${base}/api/sales/${sale}/purchases/me`, {
        headers: { Authorization: `Bearer ${await tokenFor('u1')}` },
      }),
    );
    expect((await call(`${base}/healthz`)).status).toBe(200);
    const notReady = await call(`${base}/readyz`);
    expect(notReady.status).toBe(503);

    await link.open();
    await waitReady(true);
    const bought = await call(`${base}/api/sales/${sale}/purchases`, await purchaseInit('u1'));
    expect(bought.status).toBe(201);
  });

  it('answers 503 outcome_unknown when Redis stops answering mid-purchase; a retry with the same Idempotency-Key recovers the purchase', async () => {
    await waitReady(true);
    const before = Number(await redis.get(saleKeys(sale).remaining));
    link.stall();
    // Redis is held until after the answer: the answer coming at all shows that the command
    // timeout, not Redis, ended the wait.
    const lost = await call(
      `${base}/api/sales/${sale}/purchases`,
      await purchaseInit('u2', 'lost-answer'),
    );
    // The decision was sent and no answer came: it may have happened, and the answer says so.
    expect(lost.status).toBe(503);
    expect(lost.retryAfter).toBe('1');
    expect(lost.body).toEqual({
      error: {
        code: 'outcome_unknown',
        message: jasmine.stringMatching(/retry with the same Idempotency-Key.*purchases\/me/),
      },
    });
    // Redis resumes and runs the held command: the purchase happened, its answer was lost.
    link.resume();
    await eventually('the held purchase to be decided', async () =>
      Number(await redis.get(saleKeys(sale).remaining)) === before - 1 ? true : undefined,
    );
    const retry = await call(
      `${base}/api/sales/${sale}/purchases`,
      await purchaseInit('u2', 'lost-answer'),
    );
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(jasmine.objectContaining({ userId: 'u2', quantity: 1 }));
    expect(await redis.get(saleKeys(sale).remaining)).toBe(String(before - 1));
    expect(await redis.hget(saleKeys(sale).buyers, 'u2')).toBe('1');
    const metrics = String((await call(`${base}/metrics`)).body);
    expect(metrics).toMatch(
      new RegExp(
        `flashsale_purchase_attempts_total\\{sale="${sale}",result="outcome_unknown"[^}]*\\} 1\n`,
      ),
    );
  });

  it('keeps answering /metrics with the last known stock while Redis is cut off or stalled', async () => {
    await waitReady(true);
    const remaining = Number(await redis.get(saleKeys(sale).remaining));
    const stockLine = new RegExp(
      `flashsale_stock_remaining\\{sale="${sale}"[^}]*\\} ${remaining}\n`,
    );
    await eventually('a scrape that reads the stock from Redis', async () => {
      const scrape = await call(`${base}/metrics`);
      return scrape.status === 200 && stockLine.test(String(scrape.body)) ? true : undefined;
    });

    link.stall();
    const stalled = await call(`${base}/metrics`);
    expect(stalled.status).toBe(200);
    expect(String(stalled.body)).toMatch(stockLine);
    link.resume();

    await link.cut();
    await waitReady(false);
    const cut = await call(`${base}/metrics`);
    expect(cut.status).toBe(200);
    expect(String(cut.body)).toMatch(stockLine);
    await link.open();
  });
});

describe('api: createApp on a Redis client that never connected', () => {
  let redis: RedisClient;
  let server: HttpServer;
  let base = '';

  beforeAll(async () => {
    // Port 1 refuses connections: the client stays disconnected, as at a cold start without Redis.
    redis = requestPathRedis('redis://127.0.0.1:1', isolatedNames('api-no-redis').redisPrefix);
    redis.on('error', () => undefined);
    await redis.connect().catch(() => undefined);
    const sales = new SaleStore(redis);
    const metrics = createApiMetrics(createRegistry('api'));
    const app = createApp({
      sales,
      decider: new PurchaseDecider(redis, {
        rateLimit: 10,
        rateWindowMs: 1000,
        idempotencyTtlMs: 60_000,
      }),
      saleAnswers: new SaleAnswerCache({ ttlMs: 2000, maxSales: 100 }),
      hub: new SaleEventsHub(
        (name) => sales.read(name),
        { tickMs: 250, heartbeatMs: 5000 },
        () => undefined,
      ),
      verifier: new TokenVerifier(secret),
      metrics,
      readiness: { isReady: () => redis.status === 'ready' },
      isRedisReady: () => redis.status === 'ready',
      devLogin: false,
      corsOrigin: '',
    });
    const handle = app.callback();
    server = createHttpServer((request, response) => void handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    redis.disconnect();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers every sale route with 503 unavailable and Retry-After, /healthz 200, /readyz 503', async () => {
    expectUnavailable(await call(`${base}/api/sales`));
    expectUnavailable(await call(`${base}/api/sales/any-sale`));
    expectUnavailable(await call(`${base}/api/sales/any-sale/events`));
    expectUnavailable(await call(`${base}/api/sales/any-sale/purchases`, await purchaseInit('u3')));
    expect((await call(`${base}/healthz`)).status).toBe(200);
    expect((await call(`${base}/readyz`)).status).toBe(503);
  });
});
