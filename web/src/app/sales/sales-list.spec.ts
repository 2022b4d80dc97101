import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { saleFixture, testConfig } from '../../testing/fixtures';
import { apiBaseUrlInterceptor } from '../core/api-base-url.interceptor';
import { APP_CONFIG } from '../core/app-config';
import { SalesList } from './sales-list';

describe('SalesList', () => {
  let backend: HttpTestingController;

  beforeEach(() => {
    jasmine.clock().install();
    jasmine.clock().mockDate(new Date('2030-01-01T10:10:00.000Z'));
    TestBed.configureTestingModule({
      providers: [
        { provide: APP_CONFIG, useValue: testConfig },
        provideRouter([]),
        provideHttpClient(withInterceptors([apiBaseUrlInterceptor])),
        provideHttpClientTesting(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => jasmine.clock().uninstall());

  it('lists every sale with its state, stock and window, linking to its page', () => {
    const fixture = TestBed.createComponent(SalesList);
    fixture.detectChanges();
    jasmine.clock().tick(1);
    backend.expectOne('http://api.test/api/sales').flush([
      saleFixture({
        name: 'a',
        title: 'Sneaker A',
        remaining: 4,
        state: 'active',
        serverTime: '2030-01-01T10:10:00.000Z',
      }),
      saleFixture({
        name: 'b',
        title: 'Sneaker B',
        remaining: 0,
        state: 'sold_out',
        serverTime: '2030-01-01T10:10:00.000Z',
      }),
    ]);
    fixture.detectChanges();
    const cards = Array.from(
      (fixture.nativeElement as HTMLElement).querySelectorAll<HTMLElement>('li.card'),
    );
    expect(cards.length).toBe(2);
    const [onSale, soldOut] = cards as [HTMLElement, HTMLElement];
    expect(onSale.querySelector('a')?.getAttribute('href')).toBe('/sales/a');
    expect(onSale.textContent).toContain('On sale now');
    expect(onSale.textContent).toContain('4 of 10 left');
    expect(onSale.textContent).toContain('$129.00');
    expect(onSale.querySelector('time')?.getAttribute('datetime')).toBe('2030-01-01T10:00:00.000Z');
    expect(soldOut.textContent).toContain('Sold out');
    expect(soldOut.querySelector('[role="meter"]')?.getAttribute('aria-valuenow')).toBe('0');
    fixture.destroy();
  });

  it('says so when the sales cannot be loaded', () => {
    const fixture = TestBed.createComponent(SalesList);
    fixture.detectChanges();
    jasmine.clock().tick(1);
    backend
      .expectOne('http://api.test/api/sales')
      .flush('down', { status: 502, statusText: 'Bad Gateway' });
    fixture.detectChanges();
    expect(
      (fixture.nativeElement as HTMLElement).querySelector('[role="alert"]')?.textContent,
    ).toContain('could not be loaded');
    fixture.destroy();
  });
});
