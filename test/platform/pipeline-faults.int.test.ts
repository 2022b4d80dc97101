import { SignJWT } from 'jose';
import kafkajs, { Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import { Sequelize } from 'sequelize';
import {
  relayDeadLetterKey,
  deadLetters,
  persistedPurchases,
  saleKeys,
  salesIndexKey,
  SaleStore,
  verifySale,
  verifyWhenDrained,
} from '@flashsale/platform';
import type { PurchaseEvent, SaleDefinition } from '@flashsale/platform';
import {
  eventually,
  isolatedNames,
  scrapeMetric,
  IsolatedPlatform,
  stackStartTimeoutMs,
  useStack,
  type StackEnv,
  onEveryMaster,
} from '@flashsale/testkit';
import { redisClient, type RedisClient } from '@flashsale/runtime';

interface Attempt {
  readonly status: number;
  readonly purchaseId?: string;
}

/** The topic's record batch limit here: a few dozen purchases, so batches must be split. */
const topicMaxMessageBytes = 20_000;
const relayMaxAttempts = 3;

/**
 * Faults inside the pipeline that must not stall it, with real API, relay and persister
 * processes: a poison outbox entry, a backlog larger than the topic's record batch limit, a
 * message on the topic the persister cannot store, and a sale that could sell without the
 * relay knowing of it.
 */
describe('pipeline faults (processes)', () => {
  let stack: StackEnv;
  let platform: IsolatedPlatform;
  let redis: RedisClient;
  let sales: SaleStore;
  let database: Sequelize;
  let kafka: Kafka;
  let apiUrl: string;
  let relayUrl: string;
  let persisterUrl: string;

  async function token(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(platform.secret));
  }

  async function buy(sale: string, userId: string): Promise<Attempt> {
    const response = await fetch(`${apiUrl}/api/sales/${sale}/purchases`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await token(userId)}`,
        'Content-Type': 'application/json',
      },
      body: '{"quantity":1}',
    });
    const body = (await response.json()) as { purchaseId?: string };
    return body.purchaseId
      ? { status: response.status, purchaseId: body.purchaseId }
      : { status: response.status };
  }

  const crowd = (sale: string, users: number, prefix: string): Promise<Attempt[]> =>
    Promise.all(Array.from({ length: users }, (_, index) => buy(sale, `${prefix}-${index}`)));

  function definition(name: string, stock: number): SaleDefinition {
    const now = Date.now();
    return {
      name,
      sku: 'SKU-1',
      title: 'Pipeline fault test',
      priceCents: 100,
      stock,
      perUserLimit: 1,
      startsAt: new Date(now - 1000),
      endsAt: new Date(now + 3_600_000),
    };
  }

  async function newSale(name: string, stock: number): Promise<string> {
    expect((await sales.configure(definition(name, stock))).status).toBe('ok');
    return name;
  }

  /** Every 201 is a row, rows = units sold, nothing left in the outbox. */
  async function expectAllPersisted(sale: string, attempts: readonly Attempt[]): Promise<void> {
    const verification = await verifyWhenDrained(() => verifySale(sales, database, sale), 60_000);
    expect(verification?.consistent).withContext(JSON.stringify(verification)).toBeTrue();
    const stored = new Set((await persistedPurchases(database, sale)).map((row) => row.purchaseId));
    const confirmed = attempts.filter((attempt) => attempt.status === 201);
    expect(stored.size).toBe(confirmed.length);
    expect(confirmed.filter((attempt) => !stored.has(attempt.purchaseId ?? ''))).toEqual([]);
  }

  beforeAll(async () => {
    stack = await useStack();
    platform = new IsolatedPlatform(isolatedNames('pipeline'), stack);
    await platform.prepare();
    kafka = new Kafka({ brokers: stack.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: platform.names.kafkaTopic,
          configEntries: [{ name: 'max.message.bytes', value: String(topicMaxMessageBytes) }],
        },
      ],
    });
    await admin.disconnect();
    redis = redisClient(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    sales = new SaleStore(redis);
    database = new Sequelize(platform.database, { logging: false });
    persisterUrl = await platform.start('persister');
    apiUrl = await platform.start('api');
    relayUrl = await platform.start('relay', 'relay', {
      RELAY_MAX_ATTEMPTS: String(relayMaxAttempts),
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    redis.disconnect();
    await database.close();
    await platform.cleanUp();
  }, 120_000);

  it('dead-letters a poison outbox entry after RELAY_MAX_ATTEMPTS attempts while every sale keeps flowing', async () => {
    // Sales are relayed in name order: the poisoned one comes first.
    const poisoned = await newSale('a-poisoned', 100);
    const healthy = await newSale('b-healthy', 100);
    const poisonId = await redis.xadd(
      saleKeys(poisoned).outbox,
      '*',
      'purchase',
      '{"purchaseId": not json',
      'traceparent',
      '',
    );
    const [poisonedAttempts, healthyAttempts] = await Promise.all([
      crowd(poisoned, 20, 'poisoned'),
      crowd(healthy, 20, 'healthy'),
    ]);
    expect(healthyAttempts.filter((attempt) => attempt.status === 201).length).toBe(20);
    expect(poisonedAttempts.filter((attempt) => attempt.status === 201).length).toBe(20);

    await expectAllPersisted(healthy, healthyAttempts);
    await expectAllPersisted(poisoned, poisonedAttempts);
    const letters = await redis.xrange(relayDeadLetterKey, '-', '+');
    expect(letters.length).toBe(1);
    const fields = Object.fromEntries(
      (letters[0]?.[1] ?? []).flatMap((value, index, all) =>
        index % 2 === 0 ? [[value, all[index + 1]]] : [],
      ),
    ) as Record<string, string>;
    expect(fields.sale).toBe(poisoned);
    expect(fields.entry).toBe(poisonId ?? '');
    expect(fields.attempts).toBe(String(relayMaxAttempts));
    expect(fields.reason).toMatch(/^unreadable purchase/);
    expect(JSON.parse(fields.fields ?? '[]')).toEqual([
      'purchase',
      '{"purchaseId": not json',
      'traceparent',
      '',
    ]);
    expect(
      await scrapeMetric(relayUrl, 'flashsale_relay_dead_lettered_total', { sale: poisoned }),
    ).toBe(1);
    expect(
      await scrapeMetric(relayUrl, 'flashsale_relay_dead_lettered_total', { sale: healthy }),
    ).toBeUndefined();
  }, 120_000);

  it('splits a backlog into record batches under the topic’s max.message.bytes', async () => {
    const sale = await newSale('c-backlog', 1000);
    // A backlog read in one batch of 500 entries: far more than one 20,000-byte record batch.
    await platform.signal('relay', 'SIGTERM');
    const attempts = await crowd(sale, 300, 'backlog');
    expect(attempts.filter((attempt) => attempt.status === 201).length).toBe(300);
    relayUrl = await platform.start('relay', 'relay', {
      RELAY_MAX_ATTEMPTS: String(relayMaxAttempts),
    });
    await expectAllPersisted(sale, attempts);
    expect(
      await scrapeMetric(relayUrl, 'flashsale_relay_dead_lettered_total', { sale }),
    ).toBeUndefined();
  }, 120_000);

  it('dead-letters Kafka messages it cannot store and persists the valid ones behind them on the same partition', async () => {
    const sale = 'd-direct';
    const event = (id: string, extra: Record<string, unknown> = {}): PurchaseEvent => ({
      eventId: id,
      purchaseId: id,
      sale,
      userId: `user-${id}`,
      quantity: 1,
      purchasedAt: new Date().toISOString(),
      status: 'confirmed',
      ...extra,
    });
    const bad: Message[] = [
      { key: sale, value: '{"eventId": "unparseable' },
      { key: sale, value: JSON.stringify(event('too-many', { quantity: 2 ** 31 })) },
      { key: sale, value: JSON.stringify(event('unknown-field', { couponCode: 'FREE' })) },
    ];
    const valid = Array.from({ length: 5 }, (_, index) => event(`direct-${index}`));
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // One key: one partition, the bad messages ahead of the valid ones.
    await producer.send({
      topic: platform.names.kafkaTopic,
      acks: -1,
      messages: [...bad, ...valid.map((e) => ({ key: sale, value: JSON.stringify(e) }))],
    });
    await producer.disconnect();

    await eventually('the valid events behind the bad ones to be persisted', async () =>
      (await persistedPurchases(database, sale)).length === valid.length ? true : undefined,
    );
    const ids = (await persistedPurchases(database, sale)).map((row) => row.purchaseId).sort();
    expect(ids).toEqual(valid.map((e) => e.purchaseId).sort());
    const letters = await deadLetters(database, platform.names.kafkaTopic);
    expect(letters.map((letter) => letter.value?.toString('utf8'))).toEqual(
      bad.map((message) => String(message.value)),
    );
    expect(letters.map((letter) => letter.reason)).toEqual(['unparseable', 'invalid', 'invalid']);
    expect(letters[1]?.detail).toContain('quantity');
    expect(letters[2]?.detail).toContain('couponCode');
    expect(await scrapeMetric(persisterUrl, 'flashsale_persist_dead_lettered_total')).toBe(3);
  }, 120_000);

  it('indexes a sale for the relay before the sale can sell', async () => {
    const name = 'e-unindexed';
    // A client that can do everything but add to a set: the index write fails, as it would
    // if the configuring process died at that moment.
    const user = `test-${platform.names.id}`;
    // ACLs are per server: on a cluster, the user must exist on every master.
    await onEveryMaster(
      redis,
      'ACL',
      'SETUSER',
      user,
      'on',
      'nopass',
      '~*',
      '&*',
      '+@all',
      '-sadd',
    );
    const limited = redisClient(stack.REDIS_URL, {
      username: user,
      password: 'unused',
      keyPrefix: platform.names.redisPrefix,
    });
    try {
      await expectAsync(new SaleStore(limited).configure(definition(name, 10))).toBeRejected();
    } finally {
      limited.disconnect();
      await onEveryMaster(redis, 'ACL', 'DELUSER', user);
    }
    // Not indexed, so it must not be sellable: a 201 here would never reach PostgreSQL.
    expect(await redis.sismember(salesIndexKey, name)).toBe(0);
    expect((await buy(name, 'early-bird')).status).toBe(404);

    await newSale(name, 10);
    expect(await redis.sismember(salesIndexKey, name)).toBe(1);
    const attempts = await crowd(name, 3, 'indexed');
    expect(attempts.map((attempt) => attempt.status)).toEqual([201, 201, 201]);
    await expectAllPersisted(name, attempts);
  }, 120_000);
});
