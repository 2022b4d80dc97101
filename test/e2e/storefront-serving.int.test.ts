import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { freePort } from '@flashsale/testkit';
import { ensureStorefrontBuilt, storefrontDist, StorefrontServer } from './storefront-server.ts';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** One request with exactly these headers; the body as sent (no automatic decompression). */
function get(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end();
  });
}

/**
 * How the storefront's files are served (web/server/serve-storefront.mjs, the server
 * `flashsale start` and the e2e spec run): compression, revalidation, the CSP, the runtime
 * config and the SPA fallback, over real HTTP. The page working under that CSP in
 * Chromium is checked by the storefront e2e spec.
 */
describe('storefront serving (web/server/serve-storefront.mjs over HTTP)', () => {
  const apiUrl = 'http://127.0.0.1:18999';
  let server: StorefrontServer;
  let script: string;
  let scriptBytes: Buffer;
  let indexBytes: Buffer;

  beforeAll(async () => {
    ensureStorefrontBuilt();
    const files = await readdir(storefrontDist);
    // The biggest bundle, so it is surely over the compression threshold.
    const scripts = files.filter((file) => file.endsWith('.js'));
    const sizes = await Promise.all(
      scripts.map(async (file) => [file, (await readFile(join(storefrontDist, file))).length]),
    );
    script = String(sizes.sort((a, b) => Number(b[1]) - Number(a[1]))[0]?.[0]);
    scriptBytes = await readFile(join(storefrontDist, script));
    indexBytes = await readFile(join(storefrontDist, 'index.html'));
    server = new StorefrontServer(await freePort(), apiUrl);
    await server.start();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('compresses JavaScript with brotli or gzip, as the browser accepts', async () => {
    const brotli = await get(`${server.url}/${script}`, { 'Accept-Encoding': 'gzip, br' });
    expect(brotli.status).toBe(200);
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['vary']).toContain('Accept-Encoding');
    expect(brotliDecompressSync(brotli.body).equals(scriptBytes)).toBeTrue();
    expect(brotli.body.length).toBeLessThan(scriptBytes.length / 2);

    const gzip = await get(`${server.url}/${script}`, { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(scriptBytes)).toBeTrue();

    const plain = await get(`${server.url}/${script}`, { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(scriptBytes)).toBeTrue();
  });

  it('answers a revalidation with 304 and no body, by ETag and by Last-Modified', async () => {
    const first = await get(`${server.url}/index.html`, { 'Accept-Encoding': 'gzip' });
    expect(first.status).toBe(200);
    const tag = String(first.headers['etag']);
    const modified = String(first.headers['last-modified']);
    expect(tag).toMatch(/^(W\/)?"[^"]+"$/);
    expect(Date.parse(modified)).not.toBeNaN();
    // index.html is revalidated on every use, hashed bundles are cached for a year.
    expect(first.headers['cache-control']).toBe('no-cache');
    const bundle = await get(`${server.url}/${script}`);
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const byTag = await get(`${server.url}/index.html`, { 'If-None-Match': tag });
    expect(byTag.status).toBe(304);
    expect(byTag.body.length).toBe(0);
    expect(byTag.headers['etag']).toBe(tag);
    const byDate = await get(`${server.url}/index.html`, { 'If-Modified-Since': modified });
    expect(byDate.status).toBe(304);

    const changed = await get(`${server.url}/index.html`, { 'If-None-Match': 'W/"other"' });
    expect(changed.status).toBe(200);
    expect(changed.body.equals(indexBytes)).toBeTrue();
  });

  it('sends a Content-Security-Policy that allows scripts from itself only and the API', async () => {
    const page = await get(`${server.url}/`);
    const policy = String(page.headers['content-security-policy']);
    const directives = new Map(
      policy.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'", apiUrl]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers client-side routes with the app and missing files with 404', async () => {
    const route = await get(`${server.url}/sales/summer-drop`);
    expect(route.status).toBe(200);
    expect(route.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(route.body.equals(indexBytes)).toBeTrue();

    expect((await get(`${server.url}/missing-ABCDEFGH.js`)).status).toBe(404);
    expect((await get(`${server.url}/%2e%2e/%2e%2e/package.json`)).status).toBeGreaterThan(399);
  });

  it('serves the runtime config.json from its environment, never cached', async () => {
    const config = await get(`${server.url}/config.json`);
    expect(config.status).toBe(200);
    expect(config.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(config.body.toString('utf8'))).toEqual({
      apiBaseUrl: apiUrl,
      auth: { mode: 'dev-login' },
    });
  });
});
