import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
  type TestRequest,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { purchaseFixture } from '../../testing/fixtures';
import { Checkout } from './checkout';
import { outcomeMessage } from './purchase-outcome';

describe('Checkout', () => {
  let checkout: Checkout;
  let backend: HttpTestingController;
  const url = '/api/sales/drop/purchases';

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [Checkout, provideHttpClient(), provideHttpClientTesting()],
    });
    checkout = TestBed.inject(Checkout);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
    jasmine.clock().uninstall();
  });

  function fail(
    request: TestRequest,
    status: number,
    code: string,
    headers: Record<string, string> = {},
  ): void {
    request.flush({ error: { code, message: code } }, { status, statusText: code, headers });
  }

  const keyOf = (request: TestRequest): string | null =>
    request.request.headers.get('Idempotency-Key');

  it('sends one request for a double click, and confirms it (201)', () => {
    checkout.buy('drop');
    checkout.buy('drop');
    const request = backend.expectOne(url);
    expect(request.request.body).toEqual({ quantity: 1 });
    expect(checkout.inFlight()).toBeTrue();
    request.flush(purchaseFixture(), { status: 201, statusText: 'Created' });
    expect(checkout.inFlight()).toBeFalse();
    expect(checkout.outcome()?.kind).toBe('confirmed');
    expect(outcomeMessage(checkout.outcome()!)).toBe('Confirmed! Order 3F2A-9C1E is yours.');
    expect(checkout.confirmations()).toBe(1);
  });

  it('gives every new intent a fresh Idempotency-Key', () => {
    checkout.buy('drop');
    const first = backend.expectOne(url);
    first.flush(purchaseFixture(), { status: 201, statusText: 'Created' });
    checkout.buy('drop');
    const second = backend.expectOne(url);
    expect(keyOf(second)).not.toBe(keyOf(first));
    fail(second, 409, 'limit_reached');
    expect(checkout.outcome()?.kind).toBe('limit_reached');
    expect(outcomeMessage(checkout.outcome()!)).toContain('limit');
  });

  it('reuses the key when retrying the same intent after a lost answer, and takes a replay (200) as confirmed', () => {
    checkout.buy('drop');
    const first = backend.expectOne(url);
    first.error(new ProgressEvent('error'));
    expect(checkout.outcome()?.kind).toBe('no_answer');
    checkout.buy('drop');
    const retry = backend.expectOne(url);
    expect(keyOf(retry)).toBe(keyOf(first));
    retry.flush(purchaseFixture(), { status: 200, statusText: 'OK' });
    expect(checkout.outcome()).toEqual({
      kind: 'confirmed',
      purchase: purchaseFixture(),
      replayed: true,
    });
  });

  it('waits for Retry-After on 429, then retries the same intent by itself', () => {
    jasmine.clock().install();
    checkout.buy('drop');
    const first = backend.expectOne(url);
    fail(first, 429, 'rate_limited', { 'Retry-After': '2' });
    expect(checkout.outcome()).toEqual({ kind: 'rate_limited', retryAfterSeconds: 2 });
    expect(checkout.waiting()).toBeTrue();
    checkout.buy('drop');
    jasmine.clock().tick(1999);
    backend.expectNone(url);
    jasmine.clock().tick(1);
    const retry = backend.expectOne(url);
    expect(keyOf(retry)).toBe(keyOf(first));
    retry.flush(purchaseFixture(), { status: 201, statusText: 'Created' });
    expect(checkout.outcome()?.kind).toBe('confirmed');
  });

  it('retries a 503 outcome_unknown by itself with the same key, and takes the replay (200) as the purchase', () => {
    jasmine.clock().install();
    checkout.buy('drop');
    const first = backend.expectOne(url);
    fail(first, 503, 'outcome_unknown', { 'Retry-After': '1' });
    expect(checkout.outcome()).toEqual({ kind: 'outcome_unknown', retryAfterSeconds: 1 });
    expect(outcomeMessage(checkout.outcome()!)).toContain('not be charged twice');
    expect(checkout.waiting()).toBeTrue();
    jasmine.clock().tick(999);
    backend.expectNone(url);
    jasmine.clock().tick(1);
    const retry = backend.expectOne(url);
    expect(keyOf(retry)).toBe(keyOf(first));
    fail(retry, 503, 'outcome_unknown', { 'Retry-After': '1' });
    jasmine.clock().tick(1000);
    const second = backend.expectOne(url);
    expect(keyOf(second)).toBe(keyOf(first));
    second.flush(purchaseFixture(), { status: 200, statusText: 'OK' });
    expect(checkout.outcome()).toEqual({
      kind: 'confirmed',
      purchase: purchaseFixture(),
      replayed: true,
    });
    expect(checkout.confirmations()).toBe(1);
  });

  it('tells each final outcome of the contract apart', () => {
    const cases: [number, string, string][] = [
      [410, 'sold_out', 'Sold out'],
      [409, 'not_started', 'not started'],
      [409, 'ended', 'has ended'],
      [503, 'unavailable', 'very busy'],
    ];
    jasmine.clock().install();
    for (const [status, code, text] of cases) {
      checkout.buy('drop');
      fail(backend.expectOne(url), status, code, { 'Retry-After': '1' });
      expect(checkout.outcome()?.kind as string).toBe(code);
      expect(outcomeMessage(checkout.outcome()!)).toContain(text);
    }
    jasmine.clock().tick(1000);
    fail(backend.expectOne(url), 410, 'sold_out');
  });
});
