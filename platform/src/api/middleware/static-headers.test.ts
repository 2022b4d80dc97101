import helmet from 'koa-helmet';
import type { Context } from 'koa';
import { securityHeaders } from './static-headers.ts';

/** What koa-helmet writes on a response, with the options the API used to give it. */
async function helmetHeaders(): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => written.set(name, String(value)),
    removeHeader: (name: string) => written.delete(name),
  };
  const middleware = helmet({ contentSecurityPolicy: { directives: { defaultSrc: ["'none'"] } } });
  await middleware({ req: {}, res } as unknown as Context, () => Promise.resolve());
  return written;
}

describe('precomputed security headers', () => {
  it('are exactly the headers koa-helmet writes for the API', async () => {
    expect(new Map(securityHeaders)).toEqual(await helmetHeaders());
  });
});
