import Router from '@koa/router';
import type { Sale } from '@flashsale/contract';
import type { SaleStore } from '../../sales/sale-store.ts';
import { isSaleName } from '../../sales/sale-name.ts';
import { HttpError } from '../http-error.ts';
import type { SaleEventsHub } from '../sale-events-hub.ts';
import { saleEvents, type SaleEventsDeps } from './sale-events.ts';

export async function findSale(sales: SaleStore, name: string): Promise<Sale> {
  const sale = isSaleName(name) ? await sales.read(name) : undefined;
  if (!sale) throw new HttpError(404, 'sale_not_found', `no sale named "${name.slice(0, 63)}"`);
  return sale;
}

export function salesRouter(
  sales: SaleStore,
  hub: SaleEventsHub,
  events: Omit<SaleEventsDeps, 'findSale' | 'hub'>,
): Router {
  const router = new Router({ prefix: '/api/sales' });

  router.get('/', async (ctx) => {
    ctx.body = await sales.list();
  });

  router.get('/:sale', async (ctx) => {
    ctx.body = await findSale(sales, ctx.params.sale ?? '');
  });

  router.get(
    '/:sale/events',
    saleEvents({ findSale: (name) => findSale(sales, name), hub, ...events }),
  );

  return router;
}
