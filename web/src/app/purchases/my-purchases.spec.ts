import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { fakeToken, purchaseFixture, saleFixture, testConfig } from '../../testing/fixtures';
import { Session } from '../auth/session';
import { apiBaseUrlInterceptor } from '../core/api-base-url.interceptor';
import { APP_CONFIG } from '../core/app-config';
import { formatLocalTime } from '../core/local-time';
import { MyPurchases } from './my-purchases';

describe('MyPurchases', () => {
  let backend: HttpTestingController;

  beforeEach(() => {
    sessionStorage.clear();
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

  afterEach(() => sessionStorage.clear());

  it('asks a signed-out visitor to sign in', async () => {
    const fixture = TestBed.createComponent(MyPurchases);
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).textContent).toContain(
      'Sign in to see your purchases',
    );
    backend.verify();
  });

  it('lists the buyer’s purchases of every sale, newest first', async () => {
    TestBed.inject(Session).signIn(fakeToken('alice'));
    const fixture = TestBed.createComponent(MyPurchases);
    fixture.detectChanges();
    backend
      .expectOne('http://api.test/api/sales')
      .flush([saleFixture({ name: 'a' }), saleFixture({ name: 'b' })]);
    backend
      .expectOne('http://api.test/api/sales/a/purchases/me')
      .flush([
        purchaseFixture({ purchaseId: 'old', sale: 'a', purchasedAt: '2030-01-01T10:00:00.000Z' }),
      ]);
    backend
      .expectOne('http://api.test/api/sales/b/purchases/me')
      .flush([
        purchaseFixture({ purchaseId: 'new', sale: 'b', purchasedAt: '2030-01-01T11:00:00.000Z' }),
      ]);
    await fixture.whenStable();
    const rows = Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('tbody tr'));
    expect(rows.map((row) => row.querySelector('.order-number')?.textContent?.trim())).toEqual([
      'NEW',
      'OLD',
    ]);
  });

  it('shows short order numbers, with the full id in the title and a copy button', async () => {
    TestBed.inject(Session).signIn(fakeToken('alice'));
    const fixture = TestBed.createComponent(MyPurchases);
    fixture.componentRef.setInput('sale', 'drop');
    fixture.detectChanges();
    const id = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
    backend
      .expectOne('http://api.test/api/sales/drop/purchases/me')
      .flush([purchaseFixture({ purchaseId: id, purchasedAt: '2030-01-01T10:00:00.000Z' })]);
    await fixture.whenStable();
    const page = fixture.nativeElement as HTMLElement;
    const number = page.querySelector('.order-number');
    expect(number?.textContent?.trim()).toBe('9B1D-EB4D');
    expect(number?.getAttribute('title')).toBe(`Order id ${id}`);
    expect(page.querySelector('time')?.textContent?.trim()).toBe(
      formatLocalTime('2030-01-01T10:00:00.000Z'),
    );

    const writeText = spyOn(navigator.clipboard, 'writeText').and.resolveTo();
    const copy = page.querySelector<HTMLButtonElement>('button.copy')!;
    expect(copy.getAttribute('aria-label')).toBe('Copy id of order 9B1D-EB4D');
    copy.click();
    await fixture.whenStable();
    expect(writeText).toHaveBeenCalledOnceWith(id);
    expect(copy.textContent?.trim()).toBe('Copied');
  });
});
