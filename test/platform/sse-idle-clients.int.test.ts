import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { SaleStore } from '@flashsale/platform';
import {
  eventually,
  isolatedNames,
  IsolatedPlatform,
  RawStream,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';

const idleClients = 4000;
const batch = 250;
const minute = 60_000;

/** One unlabelled-by-us sample of the API's /metrics (every sample carries `process`). */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}{`));
  if (line === undefined) throw new Error(`${name} is missing from ${url}/metrics`);
  return Number(line.split(' ').at(-1));
}

interface Memory {
  readonly rss: number;
  readonly heap: number;
}

async function memoryOf(url: string): Promise<Memory> {
  return {
    rss: await metric(url, 'process_resident_memory_bytes'),
    heap: await metric(url, 'nodejs_heap_size_used_bytes'),
  };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * Thousands of idle Server-Sent-Events clients from one address on one real API process
 * (the per-address cap raised for it): purchases still answer, every client still gets the
 * update, and the process's memory per client stays small. The figures are printed.
 */
describe('sse: 4,000 idle event-stream clients on one API process', () => {
  const names = isolatedNames('sse-idle');
  let platform: IsolatedPlatform;
  let redis: Redis;
  let store: SaleStore;
  let apiUrl = '';
  const streams: RawStream[] = [];

  const token = (userId: string): Promise<string> =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(platform.secret));

  const buy = async (sale: string, userId: string): Promise<number> => {
    const response = await fetch(`${apiUrl}/api/sales/${sale}/purchases`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await token(userId)}`,
        'Content-Type': 'application/json',
      },
      body: '{"quantity":1}',
    });
    await response.arrayBuffer();
    return response.status;
  };

  const openStreams = async (sale: string, count: number): Promise<RawStream[]> => {
    const port = Number(new URL(apiUrl).port);
    const opened: RawStream[] = [];
    for (let start = 0; start < count; start += batch) {
      const next = Array.from(
        { length: Math.min(batch, count - start) },
        () => new RawStream({ port, path: `/api/sales/${sale}/events` }),
      );
      opened.push(...next);
      await eventually(
        `streams ${start + 1}-${start + next.length} to get their first event`,
        () =>
          Promise.resolve(
            next.every((stream) => stream.answer?.status === 200 && stream.saleEvents > 0)
              ? true
              : undefined,
          ),
        60_000,
      );
    }
    return opened;
  };

  const subscribed = (count: number): Promise<boolean> =>
    eventually(
      `${count} subscribed clients`,
      async () => ((await metric(apiUrl, 'flashsale_sse_clients')) === count ? true : undefined),
      60_000,
    );

  beforeAll(async () => {
    const stack = await useStack();
    platform = new IsolatedPlatform(names, stack);
    redis = new Redis(stack.REDIS_URL, { keyPrefix: names.redisPrefix });
    store = new SaleStore(redis);
    apiUrl = await platform.start('api', 'api', {
      SSE_MAX_CLIENTS: String(idleClients + 500),
      SSE_MAX_CLIENTS_PER_ADDRESS: String(idleClients + 500),
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    for (const stream of streams) stream.close();
    await platform?.stopAll();
    const keys = await redis.keys(`${names.redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys.map((key) => key.slice(names.redisPrefix.length)));
    await redis.quit();
  }, 60_000);

  it(
    'keeps confirming purchases and updating every client, with bounded memory per client',
    async () => {
      const sale = 'idle-crowd';
      expect(
        (
          await store.configure({
            name: sale,
            sku: 'IDLE-1',
            title: 'Idle crowd',
            priceCents: 100,
            stock: 100,
            perUserLimit: 1,
            startsAt: new Date(Date.now() - minute),
            endsAt: new Date(Date.now() + 60 * minute),
          })
        ).status,
      ).toBe('ok');

      // Warm the stream path up so the baseline is not the cost of loading code.
      const warm = await openStreams(sale, batch);
      for (const stream of warm) stream.close();
      await subscribed(0);
      const before = await memoryOf(apiUrl);

      streams.push(...(await openStreams(sale, idleClients)));
      await subscribed(idleClients);
      const during = await memoryOf(apiUrl);

      const statuses: number[] = [];
      for (let buyer = 0; buyer < 20; buyer += 1)
        statuses.push(await buy(sale, `idle-buyer-${buyer}`));
      expect(statuses).toEqual(Array.from({ length: 20 }, () => 201));
      await eventually(
        'every idle client to see 80 remaining',
        () =>
          Promise.resolve(
            streams.every((stream) => stream.lastRemaining === 80) ? true : undefined,
          ),
        60_000,
      );

      const rssPerClient = (during.rss - before.rss) / idleClients;
      const heapPerClient = (during.heap - before.heap) / idleClients;
      process.stdout.write(
        `\nsse idle clients: ${idleClients} streams; API process RSS ${kib(before.rss)} -> ${kib(during.rss)} ` +
          `(${kib(rssPerClient)} per client), heap used ${kib(before.heap)} -> ${kib(during.heap)} ` +
          `(${kib(heapPerClient)} per client)\n`,
      );
      // Bounded: an idle stream costs kilobytes, not the megabytes a buffering bug would.
      expect(rssPerClient).toBeLessThan(64 * 1024);

      for (const stream of streams.splice(0)) stream.close();
      await subscribed(0);
      expect(await buy(sale, 'after-the-crowd')).toBe(201);
    },
    10 * minute,
  );
});
