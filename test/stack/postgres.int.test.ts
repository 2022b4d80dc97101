import { DataTypes, QueryTypes, Sequelize } from 'sequelize';
import {
  createTestDatabase,
  dropTestDatabase,
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';

describe('local stack: PostgreSQL through Sequelize', () => {
  const names = isolatedNames('postgres');
  let baseUrl: string;
  let sequelize: Sequelize;

  beforeAll(async () => {
    baseUrl = (await useStack()).DATABASE_URL;
    sequelize = new Sequelize(await createTestDatabase(baseUrl, names.database), {
      logging: false,
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await sequelize.close();
    await dropTestDatabase(baseUrl, names.database);
  });

  it('creates a table, inserts idempotently on a primary key, and reads the rows back', async () => {
    const Purchase = sequelize.define(
      'Purchase',
      {
        purchaseId: { type: DataTypes.STRING, primaryKey: true, field: 'purchase_id' },
        quantity: { type: DataTypes.INTEGER, allowNull: false },
      },
      { tableName: 'purchases', timestamps: false },
    );
    await Purchase.sync();
    const rows = [
      { purchaseId: 'p-1', quantity: 1 },
      { purchaseId: 'p-2', quantity: 2 },
    ];
    await Purchase.bulkCreate(rows, { ignoreDuplicates: true });
    await Purchase.bulkCreate(rows, { ignoreDuplicates: true });

    const read = await sequelize.query<{ purchase_id: string; quantity: number }>(
      'SELECT purchase_id, quantity FROM purchases ORDER BY purchase_id',
      { type: QueryTypes.SELECT },
    );
    expect(read).toEqual([
      { purchase_id: 'p-1', quantity: 1 },
      { purchase_id: 'p-2', quantity: 2 },
    ]);
  });

  it('is the server version the stack installed', async () => {
    const [row] = await sequelize.query<{ server_version_num: string }>('SHOW server_version_num', {
      type: QueryTypes.SELECT,
    });
    expect(Number(row?.server_version_num)).toBeGreaterThanOrEqual(150000);
  });
});
