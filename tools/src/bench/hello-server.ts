import Koa from 'koa';
import { listenOnFreePort, type BenchServer } from './http-listener.ts';

/**
 * The ceiling of the bench: Koa with nothing in it but one JSON answer. Whatever the purchase
 * endpoint costs beyond this is the price of our middleware, token check and Redis round trip.
 */
export function startHelloServer(port = 0): Promise<BenchServer> {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = { hello: 'world' };
  });
  return listenOnFreePort(app, undefined, port);
}
