import type { ServerResponse } from 'node:http';
import type { RouterMiddleware } from '@koa/router';
import type { Context } from 'koa';
import type { Sale } from '@flashsale/contract';
import type { SaleEventsHub } from '../sale-events-hub.ts';
import type { SseLimits } from '../sse-limits.ts';

export interface SaleEventsDeps {
  /** The sale by name, or the contract's 404. */
  readonly findSale: (name: string) => Promise<Sale>;
  readonly hub: SaleEventsHub;
  readonly limits: SseLimits;
  readonly maxBufferedBytes: number;
  /** Called when a client is dropped for falling behind. */
  readonly onSlowClient: () => void;
}

/** Starts the stream by hand: Koa's body piping would buffer without bound behind a slow client. */
function startStream(ctx: Context): ServerResponse {
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({ 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  ctx.type = 'text/event-stream';
  ctx.status = 200;
  ctx.respond = false;
  ctx.res.write('retry: 3000\n\n');
  return ctx.res;
}

/**
 * GET /api/sales/{sale}/events. Admission (per process and per client address) comes before
 * any Redis read; the slot and the subscription are released when the connection closes,
 * including when the client leaves while the sale is still being read. A client whose
 * unsent bytes pass `maxBufferedBytes` is dropped rather than buffered for.
 */
export function saleEvents(deps: SaleEventsDeps): RouterMiddleware {
  return async (ctx) => {
    const release = deps.limits.admit(ctx.ip);
    let closed = false;
    let unsubscribe = (): void => undefined;
    const close = (): void => {
      closed = true;
      unsubscribe();
      release();
    };
    ctx.res.once('close', close);
    try {
      const sale = await deps.findSale(ctx.params.sale ?? '');
      if (closed) {
        // Gone while the sale was read: nothing to subscribe, nothing to answer.
        ctx.status = 204;
        ctx.respond = false;
        return;
      }
      const res = startStream(ctx);
      unsubscribe = deps.hub.subscribe(sale, {
        send: (frame) => {
          if (res.destroyed) return;
          if (res.writableLength > deps.maxBufferedBytes) {
            deps.onSlowClient();
            res.destroy();
            return;
          }
          res.write(frame);
        },
      });
    } catch (error) {
      ctx.res.off('close', close);
      release();
      throw error;
    }
  };
}
