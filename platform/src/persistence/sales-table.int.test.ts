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
import { findSale, findSaleIdentity, upsertSale, writeSaleRow } from './sales-table.ts';

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

  it("writes the operator's row for its owner, leaves another owner's alone, and keeps the owner on a plain write", async () => {
    const drop: SaleDefinition = {
      name: 'owned-drop',
      sku: 'OWN-1',
      title: 'Owned',
      priceCents: 500,
      stock: 10,
      perUserLimit: 2,
      startsAt: new Date('2026-12-02T10:00:00Z'),
      endsAt: new Date('2026-12-02T11:00:00Z'),
    };
    const mine = {
      owner: 'shop/uid-1',
      incarnation: 'inc-1',
      incarnationStartedAt: new Date('2026-12-01T09:00:00Z'),
    };
    expect(await writeSaleRow(sequelize, drop, mine)).toBeTrue();
    expect(await findSaleIdentity(sequelize, drop.name)).toEqual(mine);

    const theirs = { ...mine, owner: 'other/uid-2', incarnation: 'inc-2' };
    expect(await writeSaleRow(sequelize, { ...drop, stock: 99 }, theirs)).toBeFalse();
    expect(await findSale(sequelize, drop.name)).toEqual(drop);
    expect(await findSaleIdentity(sequelize, drop.name)).toEqual(mine);

    const restocked = { ...drop, stock: 20 };
    expect(await writeSaleRow(sequelize, restocked)).toBeTrue();
    expect(await findSale(sequelize, drop.name)).toEqual(restocked);
    expect(await findSaleIdentity(sequelize, drop.name)).toEqual(mine);
  });
});
