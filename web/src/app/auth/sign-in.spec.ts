import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { fakeToken, testConfig } from '../../testing/fixtures';
import { apiBaseUrlInterceptor } from '../core/api-base-url.interceptor';
import { APP_CONFIG } from '../core/app-config';
import { Session, tokenSubject } from './session';
import { SignIn } from './sign-in';

describe('SignIn (dev login)', () => {
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

  async function typeAndSubmit(userId: string): Promise<HTMLElement> {
    const fixture = TestBed.createComponent(SignIn);
    fixture.componentRef.setInput('returnUrl', '/sales/drop');
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const input = element.querySelector<HTMLInputElement>('input#user-id');
    expect(element.querySelector('label[for="user-id"]')?.textContent).toContain('User name');
    input!.value = userId;
    input!.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    element.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await fixture.whenStable();
    return element;
  }

  it('trades the user name for a token, keeps it for the session and goes back', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    await typeAndSubmit('alice');
    const request = backend.expectOne('http://api.test/api/auth/dev-login');
    expect(request.request.body).toEqual({ userId: 'alice' });
    const token = fakeToken('alice');
    request.flush({ token });
    expect(TestBed.inject(Session).userId()).toBe('alice');
    expect(sessionStorage.getItem('flashsale.token')).toBe(token);
    expect(navigate).toHaveBeenCalledWith('/sales/drop');
  });

  it('says so when the API has dev login switched off', async () => {
    const element = await typeAndSubmit('alice');
    backend
      .expectOne('http://api.test/api/auth/dev-login')
      .flush(
        { error: { code: 'not_found', message: 'off' } },
        { status: 404, statusText: 'Not Found' },
      );
    await new Promise((resolve) => setTimeout(resolve));
    expect(element.querySelector('[role="alert"]')?.textContent).toContain(
      'Dev login is switched off',
    );
    expect(TestBed.inject(Session).signedIn()).toBeFalse();
  });

  it('reads the user id of a token for display', () => {
    expect(tokenSubject(fakeToken('bob'))).toBe('bob');
    expect(tokenSubject('garbage')).toBeUndefined();
  });
});
