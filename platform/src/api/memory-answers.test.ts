import { createServer, type Server } from 'node:http';
import { createRegistry } from '@flashsale/runtime';
import { SaleAnswerCache } from '../purchases/sale-answer-cache.ts';
import { createApiMetrics, type ApiMetrics } from './api-metrics.ts';
import { memoryAnswers } from './memory-answers.ts';

/** What the server answered, and whether memory did (Koa's stand-in answers 299). */
interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

describe('answers from memory before Koa', () => {
  let server: Server;
  let base: string;
  let metrics: ApiMetrics;
  let redisReady: boolean;
  const answers = new SaleAnswerCache({ ttlMs: 3_600_000, maxSales: 100 });

  beforeAll(async () => {
    metrics = createApiMetrics(createRegistry('memory-answers-spec'));
    metrics.saleLabels.remember('gone');
    const fromMemory = memoryAnswers({
      saleAnswers: answers,
      metrics,
      isRedisReady: () => redisReady,
      corsOrigin: 'http://shop.localhost',
    });
    server = createServer((req, res) => {
      if (fromMemory(req, res)) return;
      req.resume();
      res.writeHead(299).end('koa');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    answers.learn('gone', { outcome: 'sold_out', remaining: 0 });
    answers.learn('over', { outcome: 'ended' });
    answers.learn('later', {
      outcome: 'not_started',
      startsAt: new Date('2999-01-01T00:00:00.000Z'),
    });
    answers.learn('nothing', { outcome: 'sale_not_found' });
  });
  beforeEach(() => {
    redisReady = true;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = async (path: string, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: '{"quantity":1}',
    });
    return { status: response.status, body: await response.text(), headers: response.headers };
  };

  it('answers each kind of known answer with its status and the contract body', async () => {
    const expected: Array<[string, number, string]> = [
      ['gone', 410, '{"error":{"code":"sold_out","message":"sold out"}}'],
      ['over', 409, '{"error":{"code":"ended","message":"the sale has ended"}}'],
      [
        'later',
        409,
        '{"error":{"code":"not_started","message":"the sale starts at 2999-01-01T00:00:00.000Z"}}',
      ],
      [
        'nothing',
        404,
        '{"error":{"code":"sale_not_found","message":"no sale named \\"nothing\\""}}',
      ],
    ];
    for (const [sale, status, body] of expected) {
      const reply = await post(`/api/sales/${sale}/purchases`);
      expect([reply.status, reply.body]).withContext(sale).toEqual([status, body]);
      expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(reply.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
      expect(reply.headers.get('vary')).toBe('Origin');
      expect(reply.headers.get('access-control-allow-origin')).toBe('http://shop.localhost');
      expect(reply.headers.get('access-control-expose-headers')).toBe('Retry-After');
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('matches the path as the router does: a trailing slash, a query', async () => {
    expect((await post('/api/sales/gone/purchases/')).status).toBe(410);
    expect((await post('/api/sales/gone/purchases?via=ad')).status).toBe(410);
    expect((await post('/api/sales/gone/purchases/?via=ad')).status).toBe(410);
  });

  it('leaves to Koa what memory must not answer', async () => {
    const toKoa: Array<[string, Promise<Reply>]> = [
      ['a possible replay', post('/api/sales/gone/purchases', { 'Idempotency-Key': 'k-1' })],
      ['a sale memory does not know', post('/api/sales/fresh/purchases')],
      ['not a sale name', post('/api/sales/GONE/purchases')],
      ['an encoded name', post('/api/sales/%67one/purchases')],
      ['another path', post('/api/sales/gone/purchases/me')],
      ['another path', post('/api/sales/gone')],
      ['another method', fetch(`${base}/api/sales/gone/purchases`).then(asReply)],
    ];
    for (const [why, reply] of toKoa)
      expect((await reply).status)
        .withContext(why)
        .toBe(299);
  });

  it('leaves every request to Koa while Redis is not ready', async () => {
    redisReady = false;
    expect((await post('/api/sales/gone/purchases')).status).toBe(299);
  });

  it('counts each answer as the purchase route does, by sale and result and by route', async () => {
    // A histogram's values carry the series name (_bucket, _sum, _count) in `metricName`.
    const sample = async (series: string, labels: Record<string, string>): Promise<number> => {
      const metricName = series.replace(/_count$/, '');
      const metric = await metrics.registry.getSingleMetric(metricName)?.get();
      const found = metric?.values.find(
        (value) =>
          ((value as { metricName?: string }).metricName ?? series) === series &&
          Object.entries(labels).every(([key, wanted]) => String(value.labels[key]) === wanted),
      );
      return found?.value ?? 0;
    };
    const attempts = { sale: 'gone', result: 'sold_out' };
    const route = {
      method: 'POST',
      route: '/api/sales/:sale/purchases',
      status_code: '410',
    };
    const before = await sample('flashsale_purchase_attempts_total', attempts);
    const observed = await sample('http_request_duration_seconds_count', route);
    for (let attempt = 0; attempt < 3; attempt += 1)
      expect((await post('/api/sales/gone/purchases')).status).toBe(410);
    expect(await sample('flashsale_purchase_attempts_total', attempts)).toBe(before + 3);
    expect(await sample('http_request_duration_seconds_count', route)).toBe(observed + 3);
  });
});

async function asReply(response: Response): Promise<Reply> {
  return { status: response.status, body: await response.text(), headers: response.headers };
}
