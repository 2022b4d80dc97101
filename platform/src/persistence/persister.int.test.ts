import { Kafka, Partitioners, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Sequelize } from 'sequelize';
import type { PurchaseEvent } from '../purchases/purchase.ts';
import {
  createTestDatabase,
  dropTestDatabase,
  eventually,
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';
import { deadLetters } from './dead-letters-table.ts';
import { migrate } from './migrator.ts';
import type { BackoffOptions } from '@flashsale/runtime';
import { PurchasePersister } from './persister.ts';
import { persistedPurchases, persistedUnits } from './purchases-table.ts';

function purchase(sale: string, id: string, quantity = 1): PurchaseEvent {
  return {
    eventId: id,
    purchaseId: id,
    sale,
    userId: `user-${id}`,
    quantity,
    purchasedAt: new Date().toISOString(),
    status: 'confirmed',
  };
}

const asMessage = (event: PurchaseEvent): Message => ({
  key: event.sale,
  value: JSON.stringify(event),
});

async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? 0;
}

/** One test's own database, topic and consumer group on the real stack. */
interface Fixture {
  readonly sequelize: Sequelize;
  readonly topic: string;
  readonly groupId: string;
  produce(messages: Message[]): Promise<void>;
  persister(registry: Registry, batchMax?: number, retry?: BackoffOptions): PurchasePersister;
  /** Offsets the group has committed, summed over partitions (= messages it is done with). */
  committed(): Promise<number>;
  groupMembers(): Promise<number>;
  purchaseIds(sale: string): Promise<string[]>;
}

describe('persistence: PurchasePersister', () => {
  const logger = pino({ level: 'silent' });
  let baseUrl: string;
  let kafka: Kafka;
  let admin: Admin;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const stack = await useStack();
    baseUrl = stack.DATABASE_URL;
    kafka = new Kafka({
      clientId: 'persister-test',
      brokers: stack.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
  }, stackStartTimeoutMs);

  afterEach(async () => {
    // Last set up, first torn down: persisters stop before their database is dropped.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  async function fixture(label: string): Promise<Fixture> {
    const names = isolatedNames(label);
    const sequelize = new Sequelize(await createTestDatabase(baseUrl, names.database), {
      logging: false,
    });
    cleanups.push(() => dropTestDatabase(baseUrl, names.database));
    cleanups.push(() => sequelize.close());
    await migrate(sequelize);
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: names.kafkaTopic, numPartitions: 3 }],
    });
    cleanups.push(() => admin.deleteTopics({ topics: [names.kafkaTopic] }));
    // A producer per test: kafkajs keeps refreshing metadata of every topic a producer ever
    // wrote to, and fails once one of them (an earlier test's) has been deleted.
    const producer: Producer = kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const groupId = `${names.id}-persister`;
    return {
      sequelize,
      topic: names.kafkaTopic,
      groupId,
      produce: async (messages) => {
        await producer.send({ topic: names.kafkaTopic, acks: -1, messages });
      },
      persister: (registry, batchMax, retry) => {
        const persister = new PurchasePersister({
          kafka,
          sequelize,
          registry,
          logger,
          topic: names.kafkaTopic,
          groupId,
          ...(batchMax === undefined ? {} : { batchMax }),
          ...(retry === undefined ? {} : { retry }),
        });
        cleanups.push(() => persister.stop());
        return persister;
      },
      committed: async () => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [names.kafkaTopic] });
        const partitions = offsets?.partitions ?? [];
        return partitions.reduce((sum, { offset }) => sum + Math.max(0, Number(offset)), 0);
      },
      groupMembers: async () => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0]?.members.length ?? 0;
      },
      purchaseIds: async (sale) =>
        (await persistedPurchases(sequelize, sale)).map((row) => row.purchaseId).sort(),
    };
  }

  const rowsReach = (f: Fixture, sale: string, count: number) =>
    eventually(`${count} rows of ${sale}`, async () =>
      (await f.purchaseIds(sale)).length >= count ? true : undefined,
    );

  const committedReach = (f: Fixture, count: number) =>
    eventually(`offset ${count} committed`, async () =>
      (await f.committed()) === count ? true : undefined,
    );

  it('persists every event exactly once, though duplicates are delivered', async () => {
    const f = await fixture('persister-exact');
    const sales = ['exact-a', 'exact-b', 'exact-c'];
    const events = Array.from({ length: 12 }, (_, index) =>
      purchase(sales[index % 3] ?? 'exact-a', `exact-${index}`, (index % 4) + 1),
    );
    const registry = new Registry();
    // Transactions of at most 4 messages: a fetched batch is split and committed piece by piece.
    await f.persister(registry, 4).start();

    const duplicates = [events[0], events[5], events[5], events[11]].filter((event) => !!event);
    await f.produce(events.map(asMessage));
    await f.produce(duplicates.map(asMessage));
    await committedReach(f, events.length + duplicates.length);

    for (const sale of sales) {
      const expected = events.filter((event) => event.sale === sale);
      const rows = await persistedPurchases(f.sequelize, sale);
      expect(
        rows.map(({ purchasedAt, persistedAt: _, ...row }) => ({
          ...row,
          purchasedAt: purchasedAt.toISOString(),
        })),
      )
        .withContext(sale)
        .toEqual(
          jasmine.arrayWithExactContents(expected.map(({ eventId: _, status: __, ...row }) => row)),
        );
      const units = expected.reduce((sum, event) => sum + event.quantity, 0);
      expect(await persistedUnits(f.sequelize, sale)).toBe(units);
    }
    expect(await metricValue(registry, 'flashsale_events_persisted_total')).toBe(12);
  });

  it('dead-letters the messages it cannot store and persists the valid events behind them', async () => {
    const f = await fixture('persister-poison');
    const sale = 'poison';
    const registry = new Registry();
    await f.persister(registry).start();

    const valid = Array.from({ length: 5 }, (_, index) => purchase(sale, `poison-ok-${index}`));
    const poison: Message[] = [
      { key: sale, value: 'not json at all' },
      { key: sale, value: JSON.stringify({ ...purchase(sale, 'no-id'), purchaseId: undefined }) },
      { key: sale, value: JSON.stringify({ ...purchase(sale, 'zero'), quantity: 0 }) },
      { key: sale, value: JSON.stringify({ ...purchase(sale, 'nul'), userId: 'a\u0000b' }) },
      { key: sale, value: null },
      // Beyond the integer column: PostgreSQL would refuse the whole batch for ever.
      { key: sale, value: JSON.stringify(purchase(sale, 'huge', 2 ** 31)) },
      { key: sale, value: JSON.stringify({ ...purchase(sale, 'extra'), coupon: 'FREE' }) },
      // Valid ISO 8601, but PostgreSQL has no year 0: only the database can tell.
      {
        key: sale,
        value: JSON.stringify({
          ...purchase(sale, 'year-zero'),
          purchasedAt: '0000-01-01T00:00:00Z',
        }),
      },
    ];
    // Same key, so the poison sits on the same partition, ahead of the valid events.
    await f.produce([...poison, ...valid.map(asMessage)]);

    await committedReach(f, poison.length + valid.length);
    expect(await f.purchaseIds(sale)).toEqual(valid.map((event) => event.purchaseId).sort());
    const letters = await deadLetters(f.sequelize, f.topic);
    expect(letters.map((letter) => letter.value?.toString('utf8') ?? null)).toEqual(
      poison.map((message) => (message.value === null ? null : String(message.value))),
    );
    expect(letters.map((letter) => letter.reason)).toEqual([
      'unparseable',
      'invalid',
      'invalid',
      'invalid',
      'unparseable',
      'invalid',
      'invalid',
      'rejected_by_database',
    ]);
    expect(letters.map((letter) => Number(letter.offset))).toEqual(poison.map((_, index) => index));
    const byReason = async (reason: string): Promise<number> =>
      (await registry.getSingleMetric('flashsale_persist_dead_lettered_total')?.get())?.values.find(
        (value) => value.labels.reason === reason,
      )?.value ?? 0;
    expect(await byReason('unparseable')).toBe(2);
    expect(await byReason('invalid')).toBe(5);
    expect(await byReason('rejected_by_database')).toBe(1);
    expect(await metricValue(registry, 'flashsale_events_persisted_total')).toBe(valid.length);
  });

  it('resumes from its committed offsets after a restart with the same group', async () => {
    const f = await fixture('persister-restart');
    const sale = 'restart';
    const before = Array.from({ length: 10 }, (_, index) => purchase(sale, `before-${index}`));
    const after = Array.from({ length: 5 }, (_, index) => purchase(sale, `after-${index}`));

    const first = f.persister(new Registry());
    await first.start();
    await f.produce(before.map(asMessage));
    await committedReach(f, 10);
    await first.stop();
    expect(await f.committed()).toBe(10);
    const persistedBefore = await persistedPurchases(f.sequelize, sale);

    await f.produce(after.map(asMessage));
    const registry = new Registry();
    await f.persister(registry).start();
    await committedReach(f, 15);

    expect(await f.purchaseIds(sale)).toEqual(
      [...before, ...after].map((event) => event.purchaseId).sort(),
    );
    // Nothing of the first run was read again: only the five new events were inserted.
    expect(await metricValue(registry, 'flashsale_events_persisted_total')).toBe(5);
    const unchanged = (await persistedPurchases(f.sequelize, sale)).filter((row) =>
      row.purchaseId.startsWith('before-'),
    );
    expect(unchanged).toEqual(persistedBefore);
  });

  it('holds its offsets while PostgreSQL refuses writes, stays in the group, then persists everything once', async () => {
    const f = await fixture('persister-outage');
    const sale = 'outage';
    const registry = new Registry();
    await f.persister(registry).start();
    const warmUp = Array.from({ length: 5 }, (_, index) => purchase(sale, `warm-${index}`));
    await f.produce(warmUp.map(asMessage));
    await committedReach(f, 5);

    await f.sequelize.query('ALTER TABLE purchases RENAME TO purchases_off');
    const during = Array.from({ length: 20 }, (_, index) => purchase(sale, `during-${index}`, 2));
    await f.produce(during.slice(0, 10).map(asMessage));
    await eventually('three failed attempts', async () =>
      (await metricValue(registry, 'flashsale_persist_failures_total')) >= 3 ? true : undefined,
    );
    await f.produce(during.slice(10).map(asMessage));
    // 200 + 400 + 800 + 1600 ms of backoff: long enough for a premature commit to show.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await f.committed()).toBe(5);
    expect(await f.groupMembers()).toBe(1);

    await f.sequelize.query('ALTER TABLE purchases_off RENAME TO purchases');
    await committedReach(f, 25);
    await rowsReach(f, sale, 25);

    expect(await f.purchaseIds(sale)).toEqual(
      [...warmUp, ...during].map((event) => event.purchaseId).sort(),
    );
    expect(await persistedUnits(f.sequelize, sale)).toBe(5 + 20 * 2);
    expect(await metricValue(registry, 'flashsale_events_persisted_total')).toBe(25);
    expect(await f.groupMembers()).toBe(1);
  });

  it('stops promptly while retrying, leaving the unwritten events uncommitted', async () => {
    const f = await fixture('persister-stop');
    const sale = 'stop';
    const registry = new Registry();
    // Retries an hour apart: stop() ends at all only if it cuts the pause short.
    const hourly = { initialMs: 3_600_000, maxMs: 3_600_000 };
    const persister = f.persister(registry, undefined, hourly);
    await persister.start();
    await f.sequelize.query('ALTER TABLE purchases RENAME TO purchases_off');
    await f.produce([purchase(sale, 'held-0'), purchase(sale, 'held-1')].map(asMessage));
    await eventually('a failed attempt', async () =>
      (await metricValue(registry, 'flashsale_persist_failures_total')) >= 1 ? true : undefined,
    );

    await persister.stop();
    expect(await f.committed()).toBe(0);

    await f.sequelize.query('ALTER TABLE purchases_off RENAME TO purchases');
    await f.persister(new Registry()).start();
    await committedReach(f, 2);
    expect(await f.purchaseIds(sale)).toEqual(['held-0', 'held-1']);
  });
});
