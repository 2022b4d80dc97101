import { provideHttpClient } from '@angular/common/http';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { fakeToken } from '../../testing/fixtures';
import { APP_CONFIG, type AppConfig } from '../core/app-config';
import { OIDC_FETCH, OidcSignIn } from './oidc-sign-in';
import { Session } from './session';
import { SignIn } from './sign-in';

const issuer = 'https://id.example.test';
const config: AppConfig = {
  apiBaseUrl: 'http://api.test',
  auth: {
    mode: 'oidc',
    issuer,
    clientId: 'storefront',
    scope: 'openid',
    resource: 'https://api.example.test',
    redirectUri: 'https://shop.example.test/sign-in',
    providerName: 'Acme ID',
  },
};

const discovery = {
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
  code_challenge_methods_supported: ['S256'],
};

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** The provider's two HTTP endpoints the browser calls: discovery and token. */
class FakeProvider {
  readonly tokenRequests: URLSearchParams[] = [];
  tokenAnswer: () => Response = () =>
    json({ access_token: fakeToken('alice'), token_type: 'Bearer', expires_in: 600 });

  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    Promise.resolve(this.answer(input, init));

  private answer(input: RequestInfo | URL, init?: RequestInit): Response {
    const url = input instanceof Request ? input.url : input.toString();
    if (url === `${issuer}/.well-known/openid-configuration`) return json(discovery);
    if (url === `${issuer}/token`) {
      // The client posts its token request as a form (URLSearchParams).
      const body = init?.body;
      this.tokenRequests.push(new URLSearchParams(body instanceof URLSearchParams ? body : ''));
      return this.tokenAnswer();
    }
    return json({ error: 'not_found' }, 404);
  }
}

async function sha256Base64Url(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)),
  );
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function storedAttempt(): { state: string; codeVerifier: string; returnUrl: string } {
  return JSON.parse(sessionStorage.getItem('flashsale.oidc.pending') ?? 'null') as {
    state: string;
    codeVerifier: string;
    returnUrl: string;
  };
}

describe('OidcSignIn (authorization code flow with PKCE)', () => {
  let provider: FakeProvider;
  let oidc: OidcSignIn;

  beforeEach(() => {
    sessionStorage.clear();
    provider = new FakeProvider();
    TestBed.configureTestingModule({
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: OIDC_FETCH, useValue: provider.fetch },
      ],
    });
    oidc = TestBed.inject(OidcSignIn);
  });

  afterEach(() => sessionStorage.clear());

  const callback = (query: string): URL => new URL(`https://shop.example.test/sign-in?${query}`);

  it('asks for a code with an S256 challenge of a verifier it keeps, and a fresh state', async () => {
    const url = await oidc.begin('/sales/drop');
    const stored = storedAttempt();
    expect(url.origin + url.pathname).toBe(`${issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'storefront',
      redirect_uri: 'https://shop.example.test/sign-in',
      response_type: 'code',
      scope: 'openid',
      state: stored.state,
      code_challenge: await sha256Base64Url(stored.codeVerifier),
      code_challenge_method: 'S256',
      resource: 'https://api.example.test',
    });
    expect(stored.returnUrl).toBe('/sales/drop');
    expect(stored.codeVerifier.length).toBeGreaterThanOrEqual(43);
    const again = await oidc.begin('/sales');
    expect(again.searchParams.get('state')).not.toBe(stored.state);
  });

  it('trades the code and the verifier for the access token, once', async () => {
    await oidc.begin('/sales/drop');
    const { state, codeVerifier } = storedAttempt();
    const done = await oidc.complete(callback(`code=the-code&state=${state}`));
    expect(done).toEqual({ accessToken: fakeToken('alice'), returnUrl: '/sales/drop' });
    expect(provider.tokenRequests.length).toBe(1);
    expect(Object.fromEntries(provider.tokenRequests[0]!)).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      code_verifier: codeVerifier,
      redirect_uri: 'https://shop.example.test/sign-in',
      client_id: 'storefront',
      resource: 'https://api.example.test',
    });
    expect(sessionStorage.getItem('flashsale.oidc.pending')).toBeNull();
    await expectAsync(
      oidc.complete(callback(`code=the-code&state=${state}`)),
    ).toBeRejectedWithError(/not started in this tab, or was already used/);
    expect(provider.tokenRequests.length).toBe(1);
  });

  it('refuses an answer whose state is not the one it sent, without asking for a token', async () => {
    await oidc.begin('/sales');
    await expectAsync(oidc.complete(callback('code=the-code&state=forged'))).toBeRejectedWithError(
      'This sign-in answer does not match the request (state). Sign in again.',
    );
    expect(provider.tokenRequests.length).toBe(0);
  });

  it('explains a refusal by the provider and a failed token request', async () => {
    await oidc.begin('/sales');
    const denied = callback(
      `error=access_denied&error_description=the+buyer+said+no&state=${storedAttempt().state}`,
    );
    await expectAsync(oidc.complete(denied)).toBeRejectedWithError(
      'The identity provider refused the sign-in: the buyer said no.',
    );
    await oidc.begin('/sales');
    provider.tokenAnswer = () =>
      json({ error: 'invalid_grant', error_description: 'code expired' }, 400);
    await expectAsync(
      oidc.complete(callback(`code=old&state=${storedAttempt().state}`)),
    ).toBeRejectedWithError('The identity provider did not issue a token: code expired.');
  });

  it('recognises the provider answer in a URL', () => {
    expect(oidc.isCallback(callback('code=c&state=s'))).toBeTrue();
    expect(oidc.isCallback(callback('error=access_denied&state=s'))).toBeTrue();
    expect(oidc.isCallback(callback('returnUrl=/sales'))).toBeFalse();
  });
});

describe('SignIn (OpenID Connect provider)', () => {
  let provider: FakeProvider;

  beforeEach(() => {
    sessionStorage.clear();
    provider = new FakeProvider();
    TestBed.configureTestingModule({
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: OIDC_FETCH, useValue: provider.fetch },
        provideRouter([]),
        provideHttpClient(),
      ],
    });
  });

  afterEach(() => {
    sessionStorage.clear();
    history.replaceState(null, '', '/context.html');
  });

  async function render(): Promise<HTMLElement> {
    const fixture = TestBed.createComponent(SignIn);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  it('offers to sign in with the named provider', async () => {
    const element = await render();
    expect(element.querySelector('button')?.textContent).toContain('Sign in with Acme ID');
    expect(element.querySelector('a[href*="access_token"]')).toBeNull();
  });

  it('back from the provider: keeps the token, clears the code from the address bar, goes back', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    await TestBed.inject(OidcSignIn).begin('/sales/drop');
    history.replaceState(null, '', `/sign-in?code=c1&state=${storedAttempt().state}`);
    await render();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(TestBed.inject(Session).userId()).toBe('alice');
    expect(location.search).toBe('');
    expect(navigate).toHaveBeenCalledWith('/sales/drop');
  });

  it('shows why the sign-in failed, and stays signed out', async () => {
    await TestBed.inject(OidcSignIn).begin('/sales');
    history.replaceState(null, '', `/sign-in?error=access_denied&state=${storedAttempt().state}`);
    const fixture = TestBed.createComponent(SignIn);
    await fixture.whenStable();
    await new Promise((resolve) => setTimeout(resolve, 50));
    fixture.detectChanges();
    const alert = (fixture.nativeElement as HTMLElement).querySelector('[role="alert"]');
    expect(alert?.textContent).toContain(
      'The identity provider refused the sign-in: access_denied.',
    );
    expect(TestBed.inject(Session).signedIn()).toBeFalse();
  });
});
