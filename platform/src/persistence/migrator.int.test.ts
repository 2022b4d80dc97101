import { QueryTypes, Sequelize } from 'sequelize';
import {
  createTestDatabase,
  dropTestDatabase,
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';
import { migrate, migrationsTable, pendingMigrations } from './migrator.ts';

describe('persistence: migrations', () => {
  const names = isolatedNames('migrations');
  let baseUrl: string;
  let databaseUrl: string;
  const opened: Sequelize[] = [];

  const connect = (): Sequelize => {
    const sequelize = new Sequelize(databaseUrl, { logging: false });
    opened.push(sequelize);
    return sequelize;
  };

  const columns = (sequelize: Sequelize, table: string) =>
    sequelize.query<{ column_name: string; data_type: string; is_nullable: string }>(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      { bind: [table], type: QueryTypes.SELECT },
    );

  beforeAll(async () => {
    baseUrl = (await useStack()).DATABASE_URL;
    databaseUrl = await createTestDatabase(baseUrl, names.database);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await Promise.all(opened.map((sequelize) => sequelize.close()));
    await dropTestDatabase(baseUrl, names.database);
  });

  it('creates every table once when two processes migrate at the same moment, and again is a no-op', async () => {
    const [first, second] = [connect(), connect()];
    const ran = await Promise.all([migrate(first), migrate(second)]);
    const all = [
      '0001-create-sales',
      '0002-create-purchases',
      '0003-create-dead-letter-messages',
      '0004-sale-owner',
    ];
    expect(ran.map((names) => names.length).sort()).toEqual([0, all.length]);
    expect(ran.flat()).toEqual(all);

    expect(await Promise.all([migrate(first), migrate(second)])).toEqual([[], []]);
    expect(await pendingMigrations(first)).toEqual([]);
    const recorded = await first.query<{ name: string }>(
      `SELECT name FROM ${migrationsTable} ORDER BY name`,
      { type: QueryTypes.SELECT },
    );
    expect(recorded.map((row) => row.name)).toEqual(all);

    expect(await columns(first, 'sales')).toEqual([
      { column_name: 'name', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'sku', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'title', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'price_cents', data_type: 'integer', is_nullable: 'NO' },
      { column_name: 'stock', data_type: 'integer', is_nullable: 'NO' },
      { column_name: 'per_user_limit', data_type: 'integer', is_nullable: 'NO' },
      { column_name: 'starts_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'ends_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'updated_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'owner', data_type: 'text', is_nullable: 'YES' },
      { column_name: 'incarnation', data_type: 'text', is_nullable: 'YES' },
      {
        column_name: 'incarnation_started_at',
        data_type: 'timestamp with time zone',
        is_nullable: 'YES',
      },
    ]);
    expect(await columns(first, 'purchases')).toEqual([
      { column_name: 'purchase_id', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'sale', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'user_id', data_type: 'text', is_nullable: 'NO' },
      { column_name: 'quantity', data_type: 'integer', is_nullable: 'NO' },
      { column_name: 'purchased_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
      { column_name: 'persisted_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
    ]);
    expect((await columns(first, 'dead_letter_messages')).map((c) => c.column_name)).toEqual([
      'topic',
      'kafka_partition',
      'kafka_offset',
      'message_key',
      'message_value',
      'reason',
      'detail',
      'message_timestamp',
      'dead_lettered_at',
    ]);

    const indexes = await first.query<{ tablename: string; indexdef: string }>(
      `SELECT tablename, indexdef FROM pg_indexes
       WHERE schemaname = 'public' AND tablename IN ('sales', 'purchases') ORDER BY indexname`,
      { type: QueryTypes.SELECT },
    );
    expect(indexes.map((index) => index.indexdef.replace(/^.* USING btree /, ''))).toEqual([
      '(purchase_id)',
      '(sale)',
      '(sale, user_id)',
      '(name)',
    ]);
  });

  it('refuses a one-connection pool, which would wait on itself for the lock', async () => {
    const single = new Sequelize(databaseUrl, { logging: false, pool: { max: 1 } });
    opened.push(single);
    await expectAsync(migrate(single)).toBeRejectedWithError(/pool of at least 2/);
  });
});
