import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Sequelize } from 'sequelize';
import { persistedPurchases } from '@flashsale/platform/persistence/purchases-table.ts';
import { SaleStore } from '@flashsale/platform/sales/sale-store.ts';
import { verifySale, verifyWhenDrained } from '@flashsale/platform/sales/sale-verification.ts';
import { statePath } from '@flashsale/stack';
import { eventually, isolatedNames } from '../harness/isolation.ts';
import { freePort, IsolatedPlatform } from '../harness/platform.ts';
import { stackStartTimeoutMs, useStack } from '../harness/stack.ts';
import { ensureStorefrontBuilt, StorefrontServer } from './storefront-server.ts';

// Test runs write only to the ignored state folder; `npm run screenshots` points this at
// docs/screenshots on purpose to refresh the committed pictures.
const screenshots = process.env.FLASHSALE_SCREENSHOT_DIR ?? statePath('screenshots');
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The built storefront in Chromium against a real API (its own API, relay and persister
 * processes on the shared stack): what a buyer sees, and what ends up in PostgreSQL.
 */
describe('storefront (Angular app in Chromium, real API)', () => {
  let platform: IsolatedPlatform;
  let storefront: StorefrontServer;
  let redis: Redis;
  let sales: SaleStore;
  let database: Sequelize;
  let browser: Browser;
  let apiUrl: string;

  async function token(userId: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(platform.secret));
  }

  /** Another client, outside the browser. */
  async function buyElsewhere(sale: string, userId: string): Promise<number> {
    const response = await fetch(`${apiUrl}/api/sales/${sale}/purchases`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await token(userId)}`,
        'Content-Type': 'application/json',
      },
      body: '{"quantity":1}',
    });
    return response.status;
  }

  async function newSale(
    name: string,
    options: { title: string; stock: number; limit: number; startsInMs: number },
  ): Promise<void> {
    const now = Date.now();
    const result = await sales.configure({
      name,
      sku: 'SNKR-E2E-001',
      title: options.title,
      priceCents: 12_900,
      stock: options.stock,
      perUserLimit: options.limit,
      startsAt: new Date(Math.ceil((now + options.startsInMs) / 1000) * 1000),
      endsAt: new Date(now + 3_600_000),
    });
    expect(result.status).toBe('ok');
  }

  async function signedInPage(userId: string, returnUrl: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${storefront.url}/sign-in?returnUrl=${encodeURIComponent(returnUrl)}`);
    await page.getByLabel('User name').fill(userId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${returnUrl}`);
    await page.locator('#signed-in-as').waitFor();
    return page;
  }

  const state = (page: Page): Promise<string> => page.locator('#sale-state').innerText();
  const outcome = (page: Page): Promise<string> => page.locator('#purchase-outcome').innerText();
  const shoot = (page: Page, name: string, fullPage = false): Promise<Buffer> =>
    page.screenshot({ path: join(screenshots, `${name}.png`), fullPage });

  beforeAll(async () => {
    ensureStorefrontBuilt();
    const stack = await useStack();
    platform = new IsolatedPlatform(isolatedNames('storefront'), stack);
    await platform.prepare();
    const storefrontPort = await freePort();
    await platform.start('persister');
    apiUrl = await platform.start('api', 'api', {
      AUTH_DEV_LOGIN: 'true',
      CORS_ORIGIN: `http://127.0.0.1:${storefrontPort}`,
    });
    await platform.start('relay');
    storefront = new StorefrontServer(storefrontPort, apiUrl);
    await storefront.start();
    redis = new Redis(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    sales = new SaleStore(redis);
    database = new Sequelize(platform.database, { logging: false });
    await mkdir(screenshots, { recursive: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await storefront?.stop();
    redis?.disconnect();
    await database?.close();
    await platform?.cleanUp();
  }, 120_000);

  it('counts down to the start, buys, refuses past the limit and shows sold out live', async () => {
    await newSale('sneaker-drop', {
      title: 'Limited sneaker',
      stock: 3,
      limit: 1,
      startsInMs: 8000,
    });
    const page = await signedInPage('alice', '/sales/sneaker-drop');
    // Marks this document: it is still there at the end only if the page never reloaded.
    await page.evaluate('window.notReloaded = true');

    expect(await state(page)).toContain('Upcoming');
    expect(await page.getByRole('timer').innerText()).toMatch(/^00:0\d$/);
    expect(await page.locator('#buy').isDisabled()).toBeTrue();
    await shoot(page, 'upcoming');

    await page.locator('#sale-state', { hasText: 'On sale now' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#buy').isEnabled()).toBeTrue();
    await shoot(page, 'active');

    await page.locator('#buy').click();
    await page.locator('#purchase-outcome', { hasText: 'Confirmed!' }).waitFor();
    await page.locator('.mine tbody tr').waitFor();
    // The new stock level arrives over the event stream.
    await page.locator('fs-stock-bar', { hasText: '2 of 3 left' }).waitFor();
    await shoot(page, 'confirmed');

    await page.locator('#buy').click();
    await page.locator('#purchase-outcome', { hasText: 'limit' }).waitFor();
    expect(await outcome(page)).toContain('You have reached the limit for this sale');

    expect([
      await buyElsewhere('sneaker-drop', 'bob'),
      await buyElsewhere('sneaker-drop', 'carol'),
    ]).toEqual([201, 201]);
    await page.locator('#sale-state', { hasText: 'Sold out' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('fs-stock-bar').innerText()).toContain('0 of 3 left');
    expect(await page.locator('#buy').isDisabled()).toBeTrue();
    expect(await page.evaluate('window.notReloaded === true')).toBeTrue();
    await shoot(page, 'sold-out');

    const rows = await eventually('3 persisted purchases', async () => {
      const found = await persistedPurchases(database, 'sneaker-drop');
      return found.length === 3 ? found : undefined;
    });
    expect(rows.map((row) => row.userId).sort()).toEqual(['alice', 'bob', 'carol']);
    await page.context().close();
  }, 120_000);

  it('buys exactly one unit for a double click, and fits a phone screen', async () => {
    await newSale('double-click', {
      title: 'Court classic',
      stock: 10,
      limit: 2,
      startsInMs: -1000,
    });
    const page = await signedInPage('dave', '/sales/double-click');
    await page.locator('#sale-state', { hasText: 'On sale now' }).waitFor();

    await page.locator('#buy').dblclick();
    await page.locator('#purchase-outcome', { hasText: 'Confirmed!' }).waitFor();
    await page.locator('.mine tbody tr').waitFor();
    await page.locator('fs-stock-bar', { hasText: '9 of 10 left' }).waitFor();

    const verification = await verifyWhenDrained(
      () => verifySale(sales, database, 'double-click'),
      60_000,
    );
    expect(verification?.consistent).withContext(JSON.stringify(verification)).toBeTrue();
    expect(verification?.sold).toBe(1);
    const rows = await persistedPurchases(database, 'double-click');
    expect(rows.map((row) => [row.userId, row.quantity])).toEqual([['dave', 1]]);
    expect(await page.locator('.mine tbody tr').count()).toBe(1);

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot(page, 'phone', true);

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('link', { name: 'Sales', exact: true }).click();
    const card = page.locator('li.card', { hasText: 'Court classic' });
    await card.waitFor();
    expect(await card.innerText()).toContain('9 of 10 left');
    await shoot(page, 'sales-list');
    await page.context().close();
  }, 120_000);
});
