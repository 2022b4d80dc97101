import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import type { SaleStore } from '../../sales/sale-store.ts';
import { isSaleName } from '../../sales/sale-name.ts';
import type { Sale } from '../../sales/sale.ts';
import { HttpError } from '../http-error.ts';
import type { SaleEventsHub } from '../sale-events-hub.ts';

export async function findSale(sales: SaleStore, name: string): Promise<Sale> {
  const sale = isSaleName(name) ? await sales.read(name) : undefined;
  if (!sale) throw new HttpError(404, 'sale_not_found', `no sale named "${name.slice(0, 63)}"`);
  return sale;
}

export function salesRouter(sales: SaleStore, hub: SaleEventsHub): Router {
  const router = new Router({ prefix: '/api/sales' });

  router.get('/', async (ctx) => {
    ctx.body = await sales.list();
  });

  router.get('/:sale', async (ctx) => {
    ctx.body = await findSale(sales, ctx.params.sale ?? '');
  });

  router.get('/:sale/events', async (ctx) => {
    const sale = await findSale(sales, ctx.params.sale ?? '');
    const stream = new PassThrough();
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.set({ 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    ctx.type = 'text/event-stream';
    ctx.status = 200;
    ctx.body = stream;
    stream.write('retry: 3000\n\n');
    const unsubscribe = hub.subscribe(sale, {
      send: (update) => stream.write(`event: sale\ndata: ${JSON.stringify(update)}\n\n`),
    });
    const close = (): void => {
      unsubscribe();
      stream.end();
    };
    ctx.req.once('close', close);
    ctx.res.once('close', close);
  });

  return router;
}
