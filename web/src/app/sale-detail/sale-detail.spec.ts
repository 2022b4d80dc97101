import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { FakeEventSource } from '../../testing/fake-event-source';
import { fakeToken, purchaseFixture, saleFixture, testConfig } from '../../testing/fixtures';
import { Session } from '../auth/session';
import { apiBaseUrlInterceptor } from '../core/api-base-url.interceptor';
import { APP_CONFIG } from '../core/app-config';
import { formatLocalTime } from '../core/local-time';
import { SaleDetail } from './sale-detail';
import { EVENT_SOURCE } from './sale-feed';

describe('SaleDetail', () => {
  let fixture: ComponentFixture<SaleDetail>;
  let backend: HttpTestingController;
  const purchasesUrl = 'http://api.test/api/sales/drop/purchases';
  const mineUrl = `${purchasesUrl}/me`;

  // The browser's clock is two hours ahead of the server's: the page must follow the server.
  const browserNow = new Date('2030-01-01T12:00:00.000Z');
  const upcoming = saleFixture({
    startsAt: '2030-01-01T10:00:05.000Z',
    serverTime: '2030-01-01T10:00:00.000Z',
    stock: 3,
    remaining: 3,
  });

  beforeEach(() => {
    sessionStorage.clear();
    FakeEventSource.opened = [];
    jasmine.clock().install();
    jasmine.clock().mockDate(browserNow);
    TestBed.configureTestingModule({
      providers: [
        { provide: APP_CONFIG, useValue: testConfig },
        {
          provide: EVENT_SOURCE,
          useValue: (url: string) => new FakeEventSource(url) as unknown as EventSource,
        },
        provideRouter([]),
        provideHttpClient(withInterceptors([apiBaseUrlInterceptor])),
        provideHttpClientTesting(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    TestBed.inject(Session).signIn(fakeToken('alice'));
    fixture = TestBed.createComponent(SaleDetail);
    fixture.componentRef.setInput('name', 'drop');
    fixture.detectChanges();
  });

  afterEach(() => {
    fixture.destroy();
    jasmine.clock().uninstall();
    sessionStorage.clear();
  });

  const page = (): HTMLElement => fixture.nativeElement as HTMLElement;
  const text = (selector: string): string =>
    page().querySelector(selector)?.textContent?.trim() ?? '';
  const buyButton = (): HTMLButtonElement => page().querySelector<HTMLButtonElement>('button#buy')!;
  const stream = (): FakeEventSource => FakeEventSource.opened[0]!;

  function render(): void {
    fixture.detectChanges();
    for (const request of backend.match(mineUrl)) request.flush([]);
    fixture.detectChanges();
  }

  it('counts down on the server’s clock and opens by itself when the countdown ends', () => {
    stream().send(upcoming);
    render();
    expect(text('h1')).toBe('Limited sneaker');
    expect(text('#sale-state')).toContain('Upcoming');
    expect(text('[role="timer"]')).toBe('00:05');
    // No disabled button before the start: when it opens, in the viewer's time zone.
    expect(page().querySelector('button#buy')).toBeNull();
    expect(text('#buy-opens')).toBe(`Opens ${formatLocalTime(upcoming.startsAt)}`);
    expect(text('#buy-opens')).toMatch(/ (UTC|GMT[+-]?\d*|[A-Z]{3,4})$/);

    jasmine.clock().tick(5000);
    render();
    expect(text('#sale-state')).toContain('On sale now');
    expect(text('#sale-state')).toContain('The sale is open');
    expect(buyButton().disabled).toBeFalse();
  });

  it('buys once, shows the confirmation and disables Buy while in flight', () => {
    stream().send({
      ...upcoming,
      startsAt: '2030-01-01T09:00:00.000Z',
      state: 'active',
      perUserLimit: 2,
    });
    render();
    buyButton().click();
    buyButton().click();
    render();
    expect(buyButton().disabled).toBeTrue();
    const request = backend.expectOne(purchasesUrl);
    expect(request.request.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f]{32}$/);
    request.flush(purchaseFixture(), { status: 201, statusText: 'Created' });
    fixture.detectChanges();
    const reload = backend.expectOne(mineUrl);
    reload.flush([purchaseFixture()]);
    fixture.detectChanges();
    expect(text('#purchase-outcome')).toBe('Confirmed! Order 3F2A-9C1E is yours.');
    expect(text('.mine')).toContain('3F2A-9C1E');
    expect(buyButton().disabled).toBeFalse();
  });

  it('shows sold out as soon as the stream says nothing remains', () => {
    stream().send({ ...upcoming, startsAt: '2030-01-01T09:00:00.000Z', state: 'active' });
    render();
    stream().send({
      ...upcoming,
      startsAt: '2030-01-01T09:00:00.000Z',
      remaining: 0,
      state: 'sold_out',
    });
    render();
    expect(text('#sale-state')).toContain('Sold out');
    expect(text('fs-stock-bar')).toContain('0 of 3 left');
    expect(buyButton().disabled).toBeTrue();
    expect(buyButton().textContent?.trim()).toBe('Sold out');
  });

  it('disables Buy and says so in place once the buyer has reached their limit', () => {
    stream().send({ ...upcoming, startsAt: '2030-01-01T09:00:00.000Z', state: 'active' });
    render();
    expect(buyButton().disabled).toBeFalse();
    buyButton().click();
    fixture.detectChanges();
    backend
      .expectOne(purchasesUrl)
      .flush(purchaseFixture(), { status: 201, statusText: 'Created' });
    fixture.detectChanges();
    backend.expectOne(mineUrl).flush([purchaseFixture()]);
    fixture.detectChanges();
    expect(buyButton().disabled).toBeTrue();
    expect(buyButton().textContent?.trim()).toBe('Limit reached: 1 per buyer');
    buyButton().click();
    backend.expectNone(purchasesUrl);
  });

  it('disables Buy when the buyer already had their limit before opening the page', () => {
    stream().send({ ...upcoming, startsAt: '2030-01-01T09:00:00.000Z', state: 'active' });
    fixture.detectChanges();
    backend.expectOne(mineUrl).flush([purchaseFixture()]);
    fixture.detectChanges();
    expect(buyButton().disabled).toBeTrue();
    expect(buyButton().textContent?.trim()).toBe('Limit reached: 1 per buyer');
  });

  it('says the sale has ended in place of Buy, on time by the server’s clock', () => {
    stream().send({
      ...upcoming,
      startsAt: '2030-01-01T09:00:00.000Z',
      endsAt: '2030-01-01T10:00:02.000Z',
      state: 'active',
    });
    render();
    expect(buyButton().disabled).toBeFalse();
    jasmine.clock().tick(2000);
    render();
    expect(buyButton().disabled).toBeTrue();
    expect(buyButton().textContent?.trim()).toBe('This sale has ended');
  });

  // A data URL: the spec must not make the browser reach any host.
  const picture =
    'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E';

  it('shows the product picture and description when the sale has them', () => {
    stream().send({
      ...upcoming,
      imageUrl: picture,
      description: 'Suede upper, gum sole.',
    });
    render();
    expect(page().querySelector('img.product-image')?.getAttribute('src')).toBe(picture);
    expect(text('#product-description')).toBe('Suede upper, gum sole.');
  });

  it('hides a product picture that cannot be loaded', () => {
    stream().send({ ...upcoming, imageUrl: picture });
    render();
    const image = page().querySelector<HTMLImageElement>('img.product-image')!;
    image.dispatchEvent(new Event('error'));
    expect(image.hidden).toBeTrue();
    expect(getComputedStyle(image).display).toBe('none');
  });

  it('shows neither when the sale has no picture or description', () => {
    stream().send(upcoming);
    render();
    expect(page().querySelector('img')).toBeNull();
    expect(page().querySelector('#product-description')).toBeNull();
  });

  it('writes the sale window with its time zone', () => {
    stream().send(upcoming);
    render();
    const times = Array.from(page().querySelectorAll('.window time'));
    expect(times.map((time) => time.textContent?.trim())).toEqual([
      formatLocalTime(upcoming.startsAt),
      formatLocalTime(upcoming.endsAt),
    ]);
  });
});
