import type { Purchase, Sale } from '@flashsale/contract';
import type { AppConfig } from '../app/core/app-config';

export const testConfig: AppConfig = { apiBaseUrl: 'http://api.test', auth: { mode: 'dev-login' } };

export function saleFixture(overrides: Partial<Sale> = {}): Sale {
  return {
    name: 'drop',
    title: 'Limited sneaker',
    sku: 'SNKR-1',
    priceCents: 12_900,
    stock: 10,
    remaining: 10,
    perUserLimit: 1,
    startsAt: '2030-01-01T10:00:00.000Z',
    endsAt: '2030-01-01T10:30:00.000Z',
    state: 'upcoming',
    serverTime: '2030-01-01T09:59:00.000Z',
    ...overrides,
  };
}

export function purchaseFixture(overrides: Partial<Purchase> = {}): Purchase {
  return {
    purchaseId: '3f2a9c1e-7b4d-4e8a-9c2f-0d1e2f3a4b5c',
    sale: 'drop',
    userId: 'alice',
    quantity: 1,
    purchasedAt: '2030-01-01T10:00:01.000Z',
    status: 'confirmed',
    ...overrides,
  };
}

/** An unsigned JWT-shaped token whose payload carries `sub` (the browser never verifies). */
export function fakeToken(sub: string): string {
  const payload = btoa(JSON.stringify({ sub })).replace(/=+$/, '');
  return `eyJhbGciOiJIUzI1NiJ9.${payload}.signature`;
}
