import { SignJWT } from 'jose';
import { Sequelize } from 'sequelize';
import {
  persistedPurchases,
  saleKeys,
  SaleStore,
  verifySale,
  verifyWhenDrained,
  type SaleVerification,
  deadLetters,
} from '@flashsale/platform';
import { portInUse, runningPid, stop as stopComponent, up } from '@flashsale/stack';
import {
  eventually,
  isolatedNames,
  scrapeMetric,
  IsolatedPlatform,
  stackStartTimeoutMs,
  useStack,
  redisServerOf,
} from '@flashsale/testkit';
import { masters, redisClient, type RedisClient } from '@flashsale/runtime';

interface Attempt {
  readonly status: number;
  readonly purchaseId?: string;
  /** The error code of a non-2xx answer. */
  readonly code?: string;
}

/**
 * The purchase path end to end, with real processes: API → Redis (decision + outbox) →
 * relay → Kafka → persister → PostgreSQL. Every scenario ends with the two promises
 * checked in the database: sold == persisted, and every purchase confirmed to a client is
 * a row.
 */
describe('purchase path (processes, faults)', () => {
  let platform: IsolatedPlatform;
  let redis: RedisClient;
  let sales: SaleStore;
  let database: Sequelize;
  let apiUrls: string[];
  let relayUrl: string;
  let saleCounter = 0;

  async function token(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(platform.secret));
  }

  async function buy(url: string, sale: string, userId: string): Promise<Attempt> {
    try {
      const response = await fetch(`${url}/api/sales/${sale}/purchases`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${await token(userId)}`,
          'Content-Type': 'application/json',
        },
        body: '{"quantity":1}',
      });
      const body = (await response.json()) as { purchaseId?: string; error?: { code: string } };
      if (body.purchaseId) return { status: response.status, purchaseId: body.purchaseId };
      return body.error
        ? { status: response.status, code: body.error.code }
        : { status: response.status };
    } catch {
      // The connection died (a killed API process): the client saw no confirmation.
      return { status: 0 };
    }
  }

  async function newSale(stock: number): Promise<string> {
    saleCounter += 1;
    const name = `path-${saleCounter}`;
    const now = Date.now();
    const result = await sales.configure({
      name,
      sku: 'SKU-1',
      title: 'Path test',
      priceCents: 100,
      stock,
      perUserLimit: 1,
      startsAt: new Date(now - 1000),
      endsAt: new Date(now + 3_600_000),
    });
    expect(result.status).toBe('ok');
    return name;
  }

  async function crowd(sale: string, users: number, prefix: string): Promise<Attempt[]> {
    return Promise.all(
      Array.from({ length: users }, (_, index) =>
        buy(apiUrls[index % apiUrls.length] ?? '', sale, `${prefix}-${index}`),
      ),
    );
  }

  async function drainedVerification(sale: string): Promise<SaleVerification | undefined> {
    return verifyWhenDrained(() => verifySale(sales, database, sale), 60_000);
  }

  async function expectEveryConfirmationPersisted(
    sale: string,
    attempts: readonly Attempt[],
  ): Promise<void> {
    const verification = await drainedVerification(sale);
    expect(verification?.consistent).withContext(JSON.stringify(verification)).toBeTrue();
    const rows = await persistedPurchases(database, sale);
    expect(rows.length).toBe(verification?.sold ?? -1);
    const stored = new Set(rows.map((row) => row.purchaseId));
    const confirmed = attempts
      .filter((attempt) => attempt.status === 201)
      .map((attempt) => attempt.purchaseId);
    expect(confirmed.filter((id) => !stored.has(id ?? ''))).toEqual([]);
  }

  beforeAll(async () => {
    const stack = await useStack();
    platform = new IsolatedPlatform(isolatedNames('path'), stack);
    await platform.prepare();
    redis = redisClient(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    sales = new SaleStore(redis);
    database = new Sequelize(platform.database, { logging: false });
    await platform.start('persister');
    apiUrls = [await platform.start('api', 'api-1'), await platform.start('api', 'api-2')];
    relayUrl = await platform.start('relay');
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await up();
    redis.disconnect();
    await database.close();
    await platform.cleanUp();
  }, 120_000);

  it('sells exactly the stock across two API processes, and persists exactly what it sold', async () => {
    const sale = await newSale(100);
    const attempts = await crowd(sale, 600, 'winners');
    expect(attempts.filter((a) => a.status === 201).length).toBe(100);
    expect(attempts.filter((a) => a.status === 410).length).toBe(500);
    await expectEveryConfirmationPersisted(sale, attempts);
  }, 120_000);

  it('keeps selling while Kafka is down and delivers everything once it is back', async () => {
    const sale = await newSale(60);
    await stopComponent('kafka');
    const duringOutage = await crowd(sale, 40, 'kafka-down');
    expect(duringOutage.filter((a) => a.status === 201).length).toBe(40);
    expect((await sales.levels(sale))?.outboxPending).toBe(40);
    // The outage shows: sends fail within their timeout, the gauge drops, readiness fails.
    await eventually('the relay to report Kafka down', async () =>
      (await scrapeMetric(relayUrl, 'flashsale_relay_kafka_up')) === 0 &&
      ((await scrapeMetric(relayUrl, 'flashsale_relay_send_failures_total')) ?? 0) > 0
        ? true
        : undefined,
    );
    expect((await fetch(`${relayUrl}/readyz`)).status).toBe(503);
    await up();
    await eventually('the relay to report Kafka up again', async () =>
      (await scrapeMetric(relayUrl, 'flashsale_relay_kafka_up')) === 1 ? true : undefined,
    );
    expect((await fetch(`${relayUrl}/readyz`)).status).toBe(200);
    const after = await crowd(sale, 40, 'kafka-back');
    expect(after.filter((a) => a.status === 201).length).toBe(20);
    await expectEveryConfirmationPersisted(sale, [...duringOutage, ...after]);
  }, 180_000);

  it('keeps selling while PostgreSQL is down and persists everything once it is back', async () => {
    // After a Redis kill (the spec order is random) the API's clients may still be reconnecting.
    await everyApiSells();
    const sale = await newSale(50);
    await stopComponent('postgresql');
    const duringOutage = await crowd(sale, 30, 'pg-down');
    expect(duringOutage.filter((a) => a.status === 201).length)
      .withContext(JSON.stringify(duringOutage.map((a) => `${a.status} ${a.code ?? ''}`)))
      .toBe(30);
    await up();
    const after = await crowd(sale, 30, 'pg-back');
    expect(after.filter((a) => a.status === 201).length).toBe(20);
    await expectEveryConfirmationPersisted(sale, [...duringOutage, ...after]);
    // An outage is retried, never taken for a message that cannot be stored.
    expect(await deadLetters(database, platform.names.kafkaTopic)).toEqual([]);
  }, 180_000);

  /**
   * Waits until every API process sells again: a fault spec must start from a healthy
   * platform, not from the tail of the previous spec's fault (a Redis still loading its
   * append-only file, a client still reconnecting).
   */
  async function everyApiSells(): Promise<void> {
    let attempt = 0;
    for (const warm of await salesOnEveryServer()) {
      for (const url of apiUrls) {
        await eventually(`${url} to sell ${warm}`, async () => {
          attempt += 1;
          return (await buy(url, warm, `warm-${attempt}`)).status === 201 ? true : undefined;
        });
      }
    }
  }

  /**
   * A sale on each Redis server: on a cluster, a master restarted by an earlier spec is
   * reached through its own connection, which may still be reconnecting while another
   * master's already sells.
   */
  async function salesOnEveryServer(): Promise<string[]> {
    const servers = masters(redis).length;
    const byServer = new Map<string, string>();
    while (byServer.size < servers) {
      const warm = await newSale(1_000);
      const { component } = await redisServerOf(redis, saleKeys(warm).config);
      if (!byServer.has(component)) byServer.set(component, warm);
    }
    return [...byServer.values()];
  }

  it('loses no confirmed purchase when an API process is SIGKILLed under load', async () => {
    await everyApiSells();
    const sale = await newSale(10_000);
    const load = crowd(sale, 400, 'api-kill');
    await new Promise((resolve) => setTimeout(resolve, 150));
    await platform.signal('api-1', 'SIGKILL');
    const attempts = await load;
    apiUrls[0] = await platform.start('api', 'api-1');
    expect(attempts.filter((a) => a.status === 201).length).toBeGreaterThan(0);
    const failed = attempts.filter((a) => a.status >= 500).map((a) => `${a.status} ${a.code}`);
    expect(failed).toEqual([]);
    await expectEveryConfirmationPersisted(sale, attempts);
  }, 180_000);

  it('loses no confirmed purchase when Redis is SIGKILLed under load (append-only file)', async () => {
    const sale = await newSale(10_000);
    const load = crowd(sale, 1000, 'redis-kill');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The stack runs each server as the leader of its own process group. On a cluster, the
    // master that holds the sale's slot is the one killed.
    const server = await redisServerOf(redis, saleKeys(sale).config);
    const redisPid = await runningPid(server.component);
    expect(redisPid).withContext(`the stack runs ${server.component}`).toBeDefined();
    process.kill(-(redisPid ?? 0), 'SIGKILL');
    const attempts = await load;
    // A dying process drops its command line before its sockets: wait until the port is free.
    await eventually('the killed Redis to release its port', async () =>
      (await portInUse(server.port)) ? undefined : true,
    );
    await up();
    // Every answer is a decision, or a 503 saying whether the purchase may have happened.
    const answers = new Set(attempts.map((a) => `${a.status} ${a.code ?? ''}`.trim()));
    const allowed = ['201', '503 unavailable', '503 outcome_unknown'];
    expect([...answers].filter((answer) => !allowed.includes(answer))).toEqual([]);
    expect(attempts.filter((a) => a.status === 201).length).toBeGreaterThan(0);
    // Redis restarted from its append-only file with every purchase it confirmed.
    for (const [index, attempt] of attempts.entries()) {
      if (attempt.status !== 201) continue;
      const stored = await redis.lrange(saleKeys(sale).userPurchases(`redis-kill-${index}`), 0, -1);
      expect(stored.join()).toContain(attempt.purchaseId ?? 'a purchase id');
    }
    await expectEveryConfirmationPersisted(sale, attempts);
  }, 180_000);

  it('claims a killed relay’s unacknowledged batch while purchases keep arriving, without duplicate rows', async () => {
    await everyApiSells();
    const sale = await newSale(10_000);
    await platform.signal('relay', 'SIGKILL');
    const early = await crowd(sale, 300, 'relay-kill');
    expect(early.filter((a) => a.status === 201).length).toBe(300);
    // A relay that read a batch into the group's pending list and died before Kafka
    // acknowledged it leaves exactly this behind: 50 entries owned by a consumer that is gone.
    const outbox = `flashsale:{${sale}}:outbox`;
    await redis.xgroup('CREATE', outbox, 'relay', '0', 'MKSTREAM').catch((error: unknown) => {
      if (!String(error).includes('BUSYGROUP')) throw error;
    });
    await redis.xreadgroup('GROUP', 'relay', 'doomed', 'COUNT', 50, 'STREAMS', outbox, '>');
    const [held] = (await redis.xpending(outbox, 'relay')) as [number];
    expect(held).toBe(50);
    // A backlog nobody has read yet, and buyers who keep coming: the successor is never idle.
    const backlog = await crowd(sale, 1200, 'relay-backlog');
    // The dead relay's batch is claimable (idle past the harness's RELAY_CLAIM_IDLE_MS of 2 s)
    // before the successor starts, so the spec does not depend on how fast it reads.
    await eventually('the dead relay’s batch to be claimable', async () => {
      const [oldest] = (await redis.xpending(outbox, 'relay', '-', '+', 1)) as [
        string,
        string,
        number,
        number,
      ][];
      return oldest && oldest[2] >= 2_500 ? true : undefined;
    });
    let buying = true;
    const steady: Attempt[] = [];
    const trickle = (async () => {
      for (let index = 0; buying; index += 1) {
        steady.push(await buy(apiUrls[index % apiUrls.length] ?? '', sale, `steady-${index}`));
      }
    })();
    await platform.start('relay', 'relay-successor', {
      RELAY_CONSUMER_NAME: 'successor',
      RELAY_BATCH_SIZE: '5',
    });
    const unreadAtClaim = await eventually(
      'the successor to claim the dead relay’s batch',
      async () => {
        const [consumers, groups] = ((await redis
          .multi()
          .xinfo('CONSUMERS', outbox, 'relay')
          .xinfo('GROUPS', outbox)
          .exec()) ?? []) as [Error | null, unknown[][]][];
        const field = (row: unknown[] | undefined, name: string): unknown =>
          row?.[row.indexOf(name) + 1];
        const doomed = consumers?.[1].find((row) => field(row, 'name') === 'doomed');
        if (doomed && Number(field(doomed, 'pending')) > 0) return undefined;
        return Number(field(groups?.[1][0], 'lag'));
      },
      60_000,
    );
    buying = false;
    await trickle;
    // Claimed while hundreds of entries still waited to be read for the first time.
    expect(unreadAtClaim).toBeGreaterThan(100);
    expect(backlog.filter((a) => a.status === 201).length).toBe(1200);
    await expectEveryConfirmationPersisted(sale, [...early, ...backlog, ...steady]);
    await platform.signal('relay-successor', 'SIGTERM');
    relayUrl = await platform.start('relay');
  }, 180_000);

  it('shuts an API process down gracefully on SIGTERM (exit 0)', async () => {
    const extra = await platform.start('api', 'api-3');
    expect((await fetch(`${extra}/healthz`)).status).toBe(200);
    expect(await platform.signal('api-3', 'SIGTERM')).toBe(0);
  }, 60_000);
});
