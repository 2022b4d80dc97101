import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { FakeEventSource } from '../../testing/fake-event-source';
import { fakeToken, purchaseFixture, saleFixture, testConfig } from '../../testing/fixtures';
import { Session } from '../auth/session';
import { apiBaseUrlInterceptor } from '../core/api-base-url.interceptor';
import { APP_CONFIG } from '../core/app-config';
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
    expect(buyButton().disabled).toBeTrue();

    jasmine.clock().tick(5000);
    render();
    expect(text('#sale-state')).toContain('On sale now');
    expect(text('#sale-state')).toContain('The sale is open');
    expect(buyButton().disabled).toBeFalse();
  });

  it('buys once, shows the confirmation and disables Buy while in flight', () => {
    stream().send({ ...upcoming, startsAt: '2030-01-01T09:00:00.000Z', state: 'active' });
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
    expect(text('#purchase-outcome')).toBe('Confirmed! Order p-1 is yours.');
    expect(text('.mine')).toContain('p-1');
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
  });
});
