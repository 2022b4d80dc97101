import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { fakeToken, testConfig } from '../../testing/fixtures';
import { Session } from '../auth/session';
import { apiBaseUrlInterceptor } from './api-base-url.interceptor';
import { APP_CONFIG } from './app-config';
import { bearerTokenInterceptor } from './bearer-token.interceptor';

describe('API interceptors', () => {
  let http: HttpClient;
  let backend: HttpTestingController;

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [
        { provide: APP_CONFIG, useValue: testConfig },
        provideHttpClient(withInterceptors([apiBaseUrlInterceptor, bearerTokenInterceptor])),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
    sessionStorage.clear();
  });

  it('sends /api calls to the configured API, without a token when signed out', () => {
    http.get('/api/sales').subscribe();
    const request = backend.expectOne('http://api.test/api/sales');
    expect(request.request.headers.has('Authorization')).toBeFalse();
    request.flush([]);
  });

  it('adds the bearer token of the signed-in buyer to API calls only', () => {
    const token = fakeToken('alice');
    TestBed.inject(Session).signIn(token);
    http.get('/api/sales/drop/purchases/me').subscribe();
    http.get('/config.json').subscribe();
    const api = backend.expectOne('http://api.test/api/sales/drop/purchases/me');
    expect(api.request.headers.get('Authorization')).toBe(`Bearer ${token}`);
    const config = backend.expectOne('/config.json');
    expect(config.request.headers.has('Authorization')).toBeFalse();
    api.flush([]);
    config.flush({});
  });
});
