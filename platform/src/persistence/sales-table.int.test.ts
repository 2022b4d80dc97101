import { QueryTypes, Sequelize } from 'sequelize';
import type { SaleDefinition } from '../sales/sale-definition.ts';
import {
  createTestDatabase,
  dropTestDatabase,
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';
import { migrate } from './migrator.ts';
import { findSale, upsertSale } from './sales-table.ts';

describe('persistence: sales table', () => {
  const names = isolatedNames('sales-table');
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

  it('records a sale, then replaces it on a second apply (one row per sale)', async () => {
    const sneakers: SaleDefinition = {
      name: 'summer-sneaker-drop',
      sku: 'SNKR-001',
      title: 'Limited sneaker',
      priceCents: 12900,
      stock: 1000,
      perUserLimit: 1,
      startsAt: new Date('2026-12-01T10:00:00Z'),
      endsAt: new Date('2026-12-01T10:30:00Z'),
    };
    await upsertSale(sequelize, sneakers);
    expect(await findSale(sequelize, sneakers.name)).toEqual(sneakers);

    const restocked = { ...sneakers, stock: 1500, title: 'Limited sneaker, restocked' };
    await upsertSale(sequelize, restocked);
    expect(await findSale(sequelize, sneakers.name)).toEqual(restocked);

    const [row] = await sequelize.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM sales WHERE name = $1',
      { bind: [sneakers.name], type: QueryTypes.SELECT },
    );
    expect(row?.count).toBe('1');
    expect(await findSale(sequelize, 'no-such-sale')).toBeUndefined();
  });
});
