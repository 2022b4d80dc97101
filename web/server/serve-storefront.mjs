#!/usr/bin/env node
// Serves the built storefront (web/dist/browser) as static files, with the runtime
// config.json generated from the environment, so that one build runs against any API.
// Plain Node and no dependencies: `flashsale start` and the e2e spec both run it.
//
//   STOREFRONT_PORT (8088) · HOST (127.0.0.1) · STOREFRONT_API_URL (required)
//   STOREFRONT_AUTH_MODE (dev-login | oidc) · with oidc: STOREFRONT_OIDC_ISSUER,
//   STOREFRONT_OIDC_CLIENT_ID, STOREFRONT_OIDC_RESOURCE, STOREFRONT_OIDC_SCOPE (docs/identity.md)
//   STOREFRONT_ROOT (web/dist/browser)
//
// In a cluster the same files are served by any static web server, with config.json
// mounted next to index.html (see web/README.md).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, URL } from 'node:url';

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

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

async function fileFor(pathname) {
  const path = normalize(join(root, decodeURIComponent(pathname)));
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) return path;
  // Client-side routes (/sales/demo-drop) get the app; missing assets get a 404.
  return extname(pathname) === '' ? join(root, 'index.html') : undefined;
}

function send(response, status, type, body) {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  response.end(body);
}

/** Answers that are not files: health probes and the runtime configuration. */
const generated = {
  '/healthz': ['text/plain', 'ok'],
  '/readyz': ['text/plain', 'ok'],
  '/config.json': [types['.json'], config],
};

async function handle(request, response) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(response, 405, 'text/plain', 'method not allowed');
  }
  const { pathname } = new URL(request.url ?? '/', 'http://storefront');
  const answer = generated[pathname];
  if (answer) return send(response, 200, ...answer);
  const file = await fileFor(pathname);
  if (!file) return send(response, 404, 'text/plain', 'not found');
  // Hashed bundles never change; index.html must not be cached so deploys take effect.
  const immutable = /-[A-Z0-9]{8}\.(js|css)$/.test(file);
  response.writeHead(200, {
    'Content-Type': types[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (request.method === 'HEAD') return response.end();
  createReadStream(file).pipe(response);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) => {
    console.error(error);
    if (!response.headersSent) send(response, 500, 'text/plain', 'error');
  });
});
server.listen(port, host, () => {
  console.log(`storefront: http://${host}:${port} (API ${apiBaseUrl}, files ${root})`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
