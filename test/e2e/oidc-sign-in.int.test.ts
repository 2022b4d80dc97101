import { chromium, type Browser } from 'playwright-core';
import { Redis } from 'ioredis';
import { SaleStore } from '@flashsale/platform';
import {
  isolatedNames,
  LocalOidcProvider,
  providerKey,
  freePort,
  IsolatedPlatform,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';
import { ensureStorefrontBuilt, StorefrontServer } from './storefront-server.ts';

const audience = 'https://api.flashsale.test';

/**
 * The storefront's production sign-in in Chromium: the code flow with PKCE through the login
 * page of a real OIDC provider (node-oidc-provider on loopback), then a purchase with the
 * access token it issued, verified by a real API process through the provider's JWKS.
 */
describe('storefront sign-in through an OIDC provider (Chromium, PKCE)', () => {
  let platform: IsolatedPlatform;
  let provider: LocalOidcProvider;
  let storefront: StorefrontServer;
  let browser: Browser;
  let redis: Redis;
  let apiUrl = '';

  beforeAll(async () => {
    ensureStorefrontBuilt();
    const stack = await useStack();
    platform = new IsolatedPlatform(isolatedNames('oidc-e2e'), stack);
    redis = new Redis(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    const storefrontPort = await freePort();
    const storefrontOrigin = `http://127.0.0.1:${storefrontPort}`;
    provider = new LocalOidcProvider({
      port: await freePort(),
      audience,
      storefrontRedirectUris: [`${storefrontOrigin}/sign-in`],
    });
    await provider.start([await providerKey('RS256', 'rs-e2e')]);
    apiUrl = await platform.start('api', 'api', {
      AUTH_JWKS_URL: provider.jwksUrl,
      AUTH_ISSUER: provider.issuer,
      AUTH_AUDIENCE: audience,
      CORS_ORIGIN: storefrontOrigin,
    });
    storefront = new StorefrontServer(storefrontPort, apiUrl, {
      STOREFRONT_AUTH_MODE: 'oidc',
      STOREFRONT_OIDC_ISSUER: provider.issuer,
      STOREFRONT_OIDC_CLIENT_ID: 'storefront',
      STOREFRONT_OIDC_RESOURCE: audience,
      STOREFRONT_OIDC_SCOPE: 'openid purchase',
    });
    await storefront.start();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await storefront?.stop();
    await provider?.stop();
    redis?.disconnect();
    await platform?.cleanUp();
  }, 120_000);

  it('signs in at the provider with PKCE and buys with the token it issued (201)', async () => {
    const now = Date.now();
    const sales = new SaleStore(redis);
    await sales.configure({
      name: 'oidc-drop',
      sku: 'SKU-OIDC',
      title: 'OIDC drop',
      priceCents: 100,
      stock: 5,
      perUserLimit: 1,
      startsAt: new Date(now - 1000),
      endsAt: new Date(now + 3_600_000),
    });
    const page = await browser.newPage();
    const authorizeRequests: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === provider.issuer && url.pathname === '/auth') authorizeRequests.push(url);
    });
    await page.goto(`${storefront.url}/sign-in?returnUrl=/sales/oidc-drop`);
    await page.getByRole('button', { name: 'Sign in with your account' }).click();
    // node-oidc-provider's development login and consent pages.
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(`${storefront.url}/sales/oidc-drop`);

    expect(authorizeRequests[0]?.searchParams.get('response_type')).toBe('code');
    expect(authorizeRequests[0]?.searchParams.get('code_challenge_method')).toBe('S256');
    const token = await page.evaluate(() => sessionStorage.getItem('flashsale.token'));
    expect(token).toMatch(/^ey/);
    const response = await fetch(`${apiUrl}/api/sales/oidc-drop/purchases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token ?? ''}`, 'Content-Type': 'application/json' },
      body: '{"quantity":1}',
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { userId?: string }).userId).toBe('alice');
    await page.close();
  }, 120_000);
});
