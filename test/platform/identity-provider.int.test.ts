import { Redis } from 'ioredis';
import { generateKeyPair, SignJWT } from 'jose';
import { SaleStore } from '@flashsale/platform';
import {
  eventually,
  isolatedNames,
  LocalOidcProvider,
  machineClients,
  providerKey,
  type ProviderKey,
  freePort,
  IsolatedPlatform,
  stackStartTimeoutMs,
  useStack,
} from '@flashsale/testkit';

const audience = 'https://api.flashsale.test';

interface Answer {
  readonly status: number;
  readonly body: { purchaseId?: string; error?: { code: string; message: string } };
}

/**
 * Production identity against the real thing: node-oidc-provider on loopback issues JWT
 * access tokens (client credentials, RS256 and ES256); a real API process verifies them
 * through the provider's JWKS (AUTH_JWKS_URL), deciding purchases in the stack's Redis.
 */
describe('identity provider (real OIDC provider, API process, JWKS)', () => {
  let platform: IsolatedPlatform;
  let redis: Redis;
  let sales: SaleStore;
  let saleCounter = 0;

  async function startProvider(keys: readonly ProviderKey[]): Promise<LocalOidcProvider> {
    const provider = new LocalOidcProvider({ port: await freePort(), audience });
    await provider.start(keys);
    return provider;
  }

  async function startApi(name: string, provider: LocalOidcProvider): Promise<string> {
    return platform.start('api', name, {
      AUTH_JWKS_URL: provider.jwksUrl,
      AUTH_ISSUER: provider.issuer,
      AUTH_AUDIENCE: audience,
      AUTH_JWKS_COOLDOWN_SECONDS: '1',
    });
  }

  async function newSale(): Promise<string> {
    saleCounter += 1;
    const name = `idp-${saleCounter}`;
    const now = Date.now();
    const result = await sales.configure({
      name,
      sku: 'SKU-IDP',
      title: 'Identity test',
      priceCents: 100,
      stock: 100,
      perUserLimit: 10,
      startsAt: new Date(now - 1000),
      endsAt: new Date(now + 3_600_000),
    });
    expect(result.status).toBe('ok');
    return name;
  }

  async function buy(apiUrl: string, sale: string, token: string): Promise<Answer> {
    const response = await fetch(`${apiUrl}/api/sales/${sale}/purchases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{"quantity":1}',
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  }

  async function purchasesOf(apiUrl: string, sale: string, token: string): Promise<unknown[]> {
    const response = await fetch(`${apiUrl}/api/sales/${sale}/purchases/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as unknown[];
  }

  beforeAll(async () => {
    const stack = await useStack();
    platform = new IsolatedPlatform(isolatedNames('identity'), stack);
    redis = new Redis(stack.REDIS_URL, { keyPrefix: platform.names.redisPrefix });
    sales = new SaleStore(redis);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    redis.disconnect();
    await platform.cleanUp();
  }, 120_000);

  describe('with a fixed key set', () => {
    let provider: LocalOidcProvider;
    let apiUrl = '';

    beforeAll(async () => {
      provider = await startProvider([
        await providerKey('RS256', 'rs-1'),
        await providerKey('ES256', 'es-1'),
      ]);
      apiUrl = await startApi('api-fixed', provider);
    }, 60_000);

    afterAll(async () => {
      await platform.signal('api-fixed', 'SIGTERM');
      await provider.stop();
    });

    it('accepts RS256 and ES256 tokens with the right issuer and audience (201), sub being the buyer', async () => {
      const sale = await newSale();
      const rs = await provider.machineToken('rs256');
      const es = await provider.machineToken('es256');
      const bought = [await buy(apiUrl, sale, rs), await buy(apiUrl, sale, es)];
      expect(bought.map((answer) => answer.status)).toEqual([201, 201]);
      expect(await purchasesOf(apiUrl, sale, rs)).toEqual([
        jasmine.objectContaining({ userId: machineClients.rs256.id, quantity: 1 }),
      ]);
      expect(await purchasesOf(apiUrl, sale, es)).toEqual([
        jasmine.objectContaining({ userId: machineClients.es256.id, quantity: 1 }),
      ]);
      expect((await sales.levels(sale))?.sold).toBe(2);
    });

    it('refuses a token the provider issued for another audience with 401', async () => {
      const sale = await newSale();
      const token = await provider.machineToken('rs256', 'https://other-api.flashsale.test');
      const answer = await buy(apiUrl, sale, token);
      expect([answer.status, answer.body.error?.message]).toEqual([
        401,
        'the token is not valid (aud)',
      ]);
      expect((await sales.levels(sale))?.sold).toBe(0);
    });

    it('refuses a token whose kid the provider does not publish with 401', async () => {
      const sale = await newSale();
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT({ sub: 'mallory' })
        .setProtectedHeader({ alg: 'RS256', kid: 'rs-unknown' })
        .setIssuer(provider.issuer)
        .setAudience(audience)
        .setExpirationTime('5m')
        .sign(privateKey);
      const answer = await buy(apiUrl, sale, token);
      expect([answer.status, answer.body.error?.message]).toEqual([
        401,
        'the token is signed by a key the provider does not publish',
      ]);
      expect((await sales.levels(sale))?.sold).toBe(0);
    });

    it('refuses a local HS256 token once the API trusts the provider (401)', async () => {
      const sale = await newSale();
      const token = await new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(platform.secret));
      expect((await buy(apiUrl, sale, token)).status).toBe(401);
    });
  });

  describe('when the provider rotates its keys', () => {
    let provider: LocalOidcProvider;
    let apiUrl = '';

    beforeAll(async () => {
      provider = await startProvider([
        await providerKey('RS256', 'rs-old'),
        await providerKey('ES256', 'es-old'),
      ]);
      apiUrl = await startApi('api-rotation', provider);
    }, 60_000);

    afterAll(async () => {
      await platform.signal('api-rotation', 'SIGTERM');
      await provider.stop();
    });

    it('accepts tokens of the new key without an API restart, and refuses the removed key with 401', async () => {
      const sale = await newSale();
      const oldToken = await provider.machineToken('rs256');
      expect((await buy(apiUrl, sale, oldToken)).status).toBe(201);

      await provider.rotate([
        await providerKey('RS256', 'rs-new'),
        await providerKey('ES256', 'es-new'),
      ]);
      const newToken = await provider.machineToken('rs256');
      // The API refetches the key set for the unknown kid (at most once per cooldown).
      await eventually('the API to accept a token of the rotated key', async () =>
        (await buy(apiUrl, sale, newToken)).status === 201 ? true : undefined,
      );
      const removed = await buy(apiUrl, sale, oldToken);
      expect([removed.status, removed.body.error?.message]).toEqual([
        401,
        'the token is signed by a key the provider does not publish',
      ]);
      expect((await sales.levels(sale))?.sold).toBe(2);
    });
  });
});
