import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Sequelize } from 'sequelize';
import { persistedPurchases, SaleStore, verifySale, verifyWhenDrained } from '@flashsale/platform';
import { statePath } from '@flashsale/stack';
import {
  eventually,
  isolatedNames,
  freePort,
  IsolatedPlatform,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';
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

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// Pictures come from another https origin; the test answers for it in the browser. A loopback
// origin, so that nothing could leave the machine even if the route did not catch a request.
const productImageHost = 'https://127.0.0.1:9';
const productImage = new URL('fixtures/sneaker.svg', import.meta.url);

/**
 * Runs axe-core in the page as it is and fails, listing them, on violations of serious or
 * critical impact. Evaluated over the DevTools protocol, so the page's CSP (which allows no
 * inline script) stays as it is.
 */
async function expectAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(await readFile(axeSource, 'utf8'));
  const results = await page.evaluate<AxeResults>(
    "axe.run(document, { resultTypes: ['violations'] })",
  );
  const serious = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} (${violation.nodes
          .map((node) => node.target.join(' '))
          .join(', ')})`,
    );
  expect(serious).withContext(`axe-core on ${what}`).toEqual([]);
}

/**
 * Collects what the page's Content-Security-Policy blocked, from the
 * `securitypolicyviolation` events and the console, for the whole browser context.
 */
async function watchPolicyViolations(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.exposeFunction('reportPolicyViolation', (text: string) => violations.push(text));
  await context.addInitScript(
    "document.addEventListener('securitypolicyviolation', (event) => " +
      "window.reportPolicyViolation(event.violatedDirective + ' ' + event.blockedURI))",
  );
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  // Product pictures live on another (https) origin; the test serves one.
  const picture = await readFile(productImage);
  await context.route(`${productImageHost}/**`, (route) =>
    route.fulfill({ contentType: 'image/svg+xml', body: picture }),
  );
  return violations;
}

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
  const violations = new Map<Page, string[]>();

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
    options: {
      title: string;
      stock: number;
      limit: number;
      startsInMs: number;
      imageUrl?: string;
      description?: string;
    },
  ): Promise<void> {
    const now = Date.now();
    const { imageUrl, description } = options;
    const result = await sales.configure({
      name,
      sku: 'SNKR-E2E-001',
      title: options.title,
      priceCents: 12_900,
      ...(imageUrl ? { imageUrl } : {}),
      ...(description ? { description } : {}),
      stock: options.stock,
      perUserLimit: options.limit,
      startsAt: new Date(Math.ceil((now + options.startsInMs) / 1000) * 1000),
      endsAt: new Date(now + 3_600_000),
    });
    expect(result.status).toBe('ok');
  }

  async function signedInPage(userId: string, returnUrl: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const seen = await watchPolicyViolations(context);
    const page = await context.newPage();
    violations.set(page, seen);
    await page.goto(`${storefront.url}/sign-in?returnUrl=${encodeURIComponent(returnUrl)}`);
    await page.getByLabel('User name').fill(userId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${returnUrl}`);
    await page.locator('#signed-in-as').waitFor();
    return page;
  }

  /** Nothing the storefront needed was blocked by its CSP. */
  function expectNoPolicyViolations(page: Page): void {
    expect(violations.get(page)).withContext('CSP violations').toEqual([]);
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
      imageUrl: `${productImageHost}/sneakers/snkr-e2e-001.svg`,
      description: 'Hand-stitched suede upper, gum sole. Numbered pair, one of three.',
    });
    const page = await signedInPage('alice', '/sales/sneaker-drop');
    // Marks this document: it is still there at the end only if the page never reloaded.
    await page.evaluate('window.notReloaded = true');

    expect(await state(page)).toContain('Upcoming');
    expect(await page.getByRole('timer').innerText()).toMatch(/^00:0\d$/);
    expect(await page.locator('#product-description').innerText()).toBe(
      'Hand-stitched suede upper, gum sole. Numbered pair, one of three.',
    );
    await eventually('the product picture', () =>
      page.evaluate<true | undefined>(
        "document.querySelector('img.product-image')?.naturalWidth > 0 || undefined",
      ),
    );
    // Before the start: when it opens, in the viewer's time zone, and no button.
    expect(await page.locator('#buy').count()).toBe(0);
    expect(await page.locator('#buy-opens').innerText()).toMatch(
      /^Opens \w{3} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d [AP]M (UTC|GMT[+-]\d+|[A-Z]{3,4})$/,
    );
    await expectAccessible(page, 'an upcoming sale');
    await shoot(page, 'upcoming');

    await page.locator('#sale-state', { hasText: 'On sale now' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#buy').isEnabled()).toBeTrue();
    await shoot(page, 'active');

    await page.locator('#buy').click();
    await page.locator('#purchase-outcome', { hasText: 'Confirmed!' }).waitFor();
    await page.locator('.mine tbody tr').waitFor();
    // The new stock level arrives over the event stream.
    await page.locator('fs-stock-bar', { hasText: '2 of 3 left' }).waitFor();
    // At the limit (1): Buy is disabled and says why, in place.
    await page.locator('#buy', { hasText: 'Limit reached: 1 per buyer' }).waitFor();
    expect(await page.locator('#buy').isDisabled()).toBeTrue();
    const [confirmed] = await eventually('the confirmed purchase in PostgreSQL', async () => {
      const found = await persistedPurchases(database, 'sneaker-drop');
      return found.length === 1 ? found : undefined;
    });
    const orderNumber = confirmed!.purchaseId.replace(/-/g, '').slice(0, 8).toUpperCase();
    const shortNumber = `${orderNumber.slice(0, 4)}-${orderNumber.slice(4)}`;
    expect(await outcome(page)).toBe(`Confirmed! Order ${shortNumber} is yours.`);
    const order = page.locator('.mine .order-number');
    expect(await order.innerText()).toBe(shortNumber);
    expect(await order.getAttribute('title')).toBe(`Order id ${confirmed!.purchaseId}`);
    await expectAccessible(page, 'a confirmed purchase');
    await shoot(page, 'confirmed');

    expect([
      await buyElsewhere('sneaker-drop', 'bob'),
      await buyElsewhere('sneaker-drop', 'carol'),
    ]).toEqual([201, 201]);
    await page.locator('#sale-state', { hasText: 'Sold out' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('fs-stock-bar').innerText()).toContain('0 of 3 left');
    expect(await page.locator('#buy').isDisabled()).toBeTrue();
    expect(await page.locator('#buy').innerText()).toBe('Sold out');
    expect(await page.evaluate('window.notReloaded === true')).toBeTrue();
    await expectAccessible(page, 'a sold-out sale');
    await shoot(page, 'sold-out');

    const rows = await eventually('3 persisted purchases', async () => {
      const found = await persistedPurchases(database, 'sneaker-drop');
      return found.length === 3 ? found : undefined;
    });
    expect(rows.map((row) => row.userId).sort()).toEqual(['alice', 'bob', 'carol']);
    expectNoPolicyViolations(page);
    await page.context().close();
  }, 120_000);

  it('buys exactly one unit for a double click, and fits a phone screen', async () => {
    await newSale('double-click', {
      title: 'Court classic',
      stock: 10,
      limit: 2,
      startsInMs: -1000,
      imageUrl: `${productImageHost}/sneakers/court-classic.svg`,
      description: 'White leather, cupsole, a classic for the court and the street.',
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
    expect(await card.locator('.description').innerText()).toBe(
      'White leather, cupsole, a classic for the court and the street.',
    );
    expect(await card.locator('img.thumb').getAttribute('src')).toBe(
      `${productImageHost}/sneakers/court-classic.svg`,
    );
    await expectAccessible(page, 'the sales list');
    await shoot(page, 'sales-list');
    expectNoPolicyViolations(page);
    await page.context().close();
  }, 120_000);
});
