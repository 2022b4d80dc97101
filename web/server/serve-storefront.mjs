#!/usr/bin/env node
// Serves the built storefront (web/dist/browser) as static files, with the runtime
// config.json generated from the environment, so that one build runs against any API.
// Koa with koa-send (Last-Modified), @koa/etag (ETag, 304 on revalidation), koa-compress
// (br/gzip) and koa-helmet (a Content-Security-Policy): `flashsale start`, the e2e spec
// and the image's web target all run it (web/README.md, "Serving").
//
//   STOREFRONT_PORT (8088) · HOST (127.0.0.1) · STOREFRONT_API_URL (required)
//   STOREFRONT_AUTH_MODE (dev-login | oidc) · with oidc: STOREFRONT_OIDC_ISSUER,
//   STOREFRONT_OIDC_CLIENT_ID, STOREFRONT_OIDC_RESOURCE, STOREFRONT_OIDC_SCOPE (docs/identity.md)
//   STOREFRONT_ROOT (web/dist/browser)
//   STOREFRONT_CSP_CONNECT_SRC: more origins the page may call (an identity provider's
//   token endpoint, say), space-separated; the API's origin is always allowed.
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, URL } from 'node:url';
import { constants } from 'node:zlib';
import Koa from 'koa';
import compress from 'koa-compress';
import etag from '@koa/etag';
import helmet from 'koa-helmet';
import send from 'koa-send';

const env = process.env;
const root =
  env.STOREFRONT_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'browser');
const port = Number(env.STOREFRONT_PORT ?? 8088);
const host = env.HOST ?? '127.0.0.1';
const apiBaseUrl = env.STOREFRONT_API_URL ?? '';
const authMode = env.STOREFRONT_AUTH_MODE ?? 'dev-login';

if (!/^https?:\/\//.test(apiBaseUrl) || !Number.isInteger(port)) {
  console.error('serve-storefront: set STOREFRONT_API_URL (http(s) URL) and STOREFRONT_PORT');
  process.exit(2);
}

const config = JSON.stringify({
  apiBaseUrl,
  auth:
    authMode === 'oidc'
      ? {
          mode: 'oidc',
          issuer: env.STOREFRONT_OIDC_ISSUER ?? '',
          clientId: env.STOREFRONT_OIDC_CLIENT_ID ?? '',
          resource: env.STOREFRONT_OIDC_RESOURCE ?? '',
          scope: env.STOREFRONT_OIDC_SCOPE || 'openid',
        }
      : { mode: 'dev-login' },
});

/** Origins the page may connect to: itself, the API, and the OIDC issuer (discovery and token requests). */
function connectSources() {
  const urls = [apiBaseUrl, authMode === 'oidc' ? (env.STOREFRONT_OIDC_ISSUER ?? '') : ''].filter(
    (url) => url !== '',
  );
  const origins = urls.map((url) => new URL(url).origin);
  const extra = (env.STOREFRONT_CSP_CONNECT_SRC ?? '').split(/\s+/).filter(Boolean);
  return [...new Set(["'self'", ...origins, ...extra])];
}

// Scripts only from this origin (no inline script, no eval). Styles also allow inline:
// Angular adds each component's styles as a <style> element at run time. Product pictures
// come from any https origin (product.imageUrl is https only).
const contentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'https:', 'data:'],
    connectSrc: connectSources(),
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/** Answers that are not files: health probes and the runtime configuration. */
const generated = {
  '/healthz': ['text/plain; charset=utf-8', 'ok'],
  '/readyz': ['text/plain; charset=utf-8', 'ok'],
  '/config.json': ['application/json; charset=utf-8', config],
};

// Hashed bundles never change; everything else (index.html first) is revalidated on each
// use, so a deploy takes effect at once and an unchanged file costs a 304.
const hashedBundle = /-[A-Z0-9]{8}\.(js|css)$/;
function cacheControl(response, path) {
  response.setHeader(
    'Cache-Control',
    hashedBundle.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
  );
}

async function sendFile(ctx) {
  const options = { root, index: 'index.html', setHeaders: cacheControl };
  try {
    await send(ctx, ctx.path, options);
  } catch (error) {
    // Client-side routes (/sales/demo-drop) get the app; missing assets get a 404.
    if (error.status !== 404 || extname(ctx.path) !== '') throw error;
    await send(ctx, 'index.html', options);
  }
}

const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') ctx.throw(405, 'method not allowed');
  const answer = generated[ctx.path];
  if (!answer) return next();
  ctx.set('Cache-Control', 'no-store');
  ctx.type = answer[0];
  ctx.body = answer[1];
});
app.use(helmet({ contentSecurityPolicy }));
// Brotli quality 5: the main bundle in about 10 ms, smaller than gzip (koa-compress's
// default of 4 comes out larger than gzip for it).
app.use(compress({ threshold: 1024, br: { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } } }));
// Conditional GET: a request whose If-None-Match / If-Modified-Since still matches gets
// 304 without a body (Koa's ctx.fresh compares them with the ETag and Last-Modified).
app.use(async (ctx, next) => {
  await next();
  if (ctx.fresh) {
    ctx.status = 304;
    ctx.body = null;
  }
});
app.use(etag());
app.use(sendFile);

const server = app.listen(port, host, () => {
  console.log(`storefront: http://${host}:${port} (API ${apiBaseUrl}, files ${root})`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
