import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { saleFixture, testConfig } from '../../testing/fixtures';
import { apiBaseUrlInterceptor } from '../core/api-base-url.interceptor';
import { APP_CONFIG } from '../core/app-config';
import { FakeEventSource } from '../../testing/fake-event-source';
import { EVENT_SOURCE, FEED_TIMINGS, SaleFeed, type SaleUpdate } from './sale-feed';

describe('SaleFeed', () => {
  let backend: HttpTestingController;
  let updates: SaleUpdate[];
  let errors: unknown[];

  beforeEach(() => {
    FakeEventSource.opened = [];
    updates = [];
    errors = [];
    jasmine.clock().install();
    TestBed.configureTestingModule({
      providers: [
        { provide: APP_CONFIG, useValue: testConfig },
        {
          provide: EVENT_SOURCE,
          useValue: (url: string) => new FakeEventSource(url) as unknown as EventSource,
        },
        { provide: FEED_TIMINGS, useValue: { pollEveryMs: 1000, silentAfterMs: 5000 } },
        provideHttpClient(withInterceptors([apiBaseUrlInterceptor])),
        provideHttpClientTesting(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => jasmine.clock().uninstall());

  function watch(): () => void {
    const subscription = TestBed.inject(SaleFeed)
      .watch('drop')
      .subscribe({
        next: (update) => updates.push(update),
        error: (error: unknown) => errors.push(error),
      });
    return () => subscription.unsubscribe();
  }

  const stream = (): FakeEventSource => FakeEventSource.opened[FakeEventSource.opened.length - 1]!;

  it('listens to the sale’s event stream at the configured API', () => {
    const stop = watch();
    expect(stream().url).toBe('http://api.test/api/sales/drop/events');
    stream().send(saleFixture({ remaining: 7 }));
    expect(updates).toEqual([{ sale: saleFixture({ remaining: 7 }), mode: 'live' }]);
    stop();
    expect(stream().closed).toBeTrue();
  });

  it('polls while the stream reconnects, and stops polling when events flow again', () => {
    const stop = watch();
    stream().send(saleFixture());
    stream().fail(0);
    jasmine.clock().tick(0);
    backend.expectOne('http://api.test/api/sales/drop').flush(saleFixture({ remaining: 5 }));
    expect(updates[1]).toEqual({ sale: saleFixture({ remaining: 5 }), mode: 'polling' });
    jasmine.clock().tick(1000);
    backend.expectOne('http://api.test/api/sales/drop').flush(saleFixture({ remaining: 4 }));
    stream().send(saleFixture({ remaining: 3 }));
    jasmine.clock().tick(3000);
    backend.expectNone('http://api.test/api/sales/drop');
    expect(updates.map((update) => [update.mode, update.sale.remaining])).toEqual([
      ['live', 10],
      ['polling', 5],
      ['polling', 4],
      ['live', 3],
    ]);
    stop();
  });

  it('reopens a stream the browser gave up on, and one that went silent', () => {
    const stop = watch();
    const first = stream();
    first.fail(2);
    jasmine.clock().tick(0);
    backend.expectOne('http://api.test/api/sales/drop').flush(saleFixture());
    jasmine.clock().tick(1000);
    expect(first.closed).toBeTrue();
    expect(FakeEventSource.opened.length).toBe(2);
    backend
      .match('http://api.test/api/sales/drop')
      .forEach((request) => request.flush(saleFixture()));
    stream().send(saleFixture());
    jasmine.clock().tick(5000);
    expect(FakeEventSource.opened.length).toBe(3);
    backend
      .match('http://api.test/api/sales/drop')
      .forEach((request) => request.flush(saleFixture()));
    stop();
  });

  it('ends with an error for a sale that does not exist', () => {
    watch();
    stream().fail(2);
    jasmine.clock().tick(0);
    backend
      .expectOne('http://api.test/api/sales/drop')
      .flush(
        { error: { code: 'sale_not_found', message: 'no' } },
        { status: 404, statusText: 'Not Found' },
      );
    expect(errors.length).toBe(1);
    expect(stream().closed).toBeTrue();
  });
});
