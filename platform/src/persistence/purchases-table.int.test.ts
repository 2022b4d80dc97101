import { QueryTypes, Sequelize } from 'sequelize';
import type { PurchaseEvent } from '../purchases/purchase.ts';
import {
  createTestDatabase,
  dropTestDatabase,
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';
import { migrate } from './migrator.ts';
import {
  insertNewPurchases,
  insertPurchases,
  persistedPurchases,
  persistedUnits,
} from './purchases-table.ts';

function purchase(sale: string, id: string, quantity = 1, second = 0): PurchaseEvent {
  return {
    eventId: id,
    purchaseId: id,
    sale,
    userId: `user-${id}`,
    quantity,
    purchasedAt: new Date(Date.UTC(2026, 11, 1, 10, 0, second)).toISOString(),
    status: 'confirmed',
  };
}

describe('persistence: purchases table', () => {
  const names = isolatedNames('purchases-table');
  let baseUrl: string;
  let sequelize: Sequelize;

  beforeAll(async () => {
    baseUrl = (await useStack()).DATABASE_URL;
    sequelize = new Sequelize(await createTestDatabase(baseUrl, names.database), {
      logging: false,
    });
    await migrate(sequelize);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await sequelize.close();
    await dropTestDatabase(baseUrl, names.database);
  });

  it('inserts each purchase once, however often it is offered, and reads the rows back exactly', async () => {
    const sale = 'exact-rows';
    const first = [purchase(sale, 'a', 1, 1), purchase(sale, 'b', 2, 2), purchase(sale, 'c', 3, 3)];
    expect(await insertPurchases(sequelize, first)).toBe(3);
    expect(await insertPurchases(sequelize, first)).toBe(0);

    const mixed = [purchase(sale, 'b', 2, 2), purchase(sale, 'd', 1, 4), purchase(sale, 'd', 1, 4)];
    expect(await insertNewPurchases(sequelize, mixed)).toEqual(['d']);
    expect(await insertPurchases(sequelize, [])).toBe(0);

    const rows = await persistedPurchases(sequelize, sale);
    expect(rows.map(({ persistedAt: _, ...row }) => row)).toEqual([
      {
        purchaseId: 'a',
        sale,
        userId: 'user-a',
        quantity: 1,
        purchasedAt: new Date('2026-12-01T10:00:01Z'),
      },
      {
        purchaseId: 'b',
        sale,
        userId: 'user-b',
        quantity: 2,
        purchasedAt: new Date('2026-12-01T10:00:02Z'),
      },
      {
        purchaseId: 'c',
        sale,
        userId: 'user-c',
        quantity: 3,
        purchasedAt: new Date('2026-12-01T10:00:03Z'),
      },
      {
        purchaseId: 'd',
        sale,
        userId: 'user-d',
        quantity: 1,
        purchasedAt: new Date('2026-12-01T10:00:04Z'),
      },
    ]);
    expect(rows.every((row) => row.persistedAt instanceof Date)).toBeTrue();
    expect(await persistedUnits(sequelize, sale)).toBe(7);
    expect(await persistedUnits(sequelize, 'no-such-sale')).toBe(0);
    expect(await persistedPurchases(sequelize, 'no-such-sale')).toEqual([]);
  });

  it('writes nothing when the transaction it joined rolls back', async () => {
    const sale = 'rolled-back';
    const rollback = new Error('roll back');
    await expectAsync(
      sequelize.transaction(async (transaction) => {
        expect(await insertPurchases(sequelize, [purchase(sale, 'r1')], transaction)).toBe(1);
        throw rollback;
      }),
    ).toBeRejectedWith(rollback);
    expect(await persistedUnits(sequelize, sale)).toBe(0);
  });

  it('inserts a batch far beyond the bind-parameter limit in one statement', async () => {
    const sale = 'large-batch';
    const events = Array.from({ length: 20_000 }, (_, index) => purchase(sale, `large-${index}`));
    expect(await insertPurchases(sequelize, events)).toBe(20_000);
    const [row] = await sequelize.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM purchases WHERE sale = $1',
      { bind: [sale], type: QueryTypes.SELECT },
    );
    expect(row?.count).toBe('20000');
  });
});
