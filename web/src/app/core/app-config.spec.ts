import { parseAppConfig } from './app-config';

describe('parseAppConfig', () => {
  it('reads the API base URL without a trailing slash, and defaults to dev login', () => {
    expect(parseAppConfig({ apiBaseUrl: 'https://api.example.com/' })).toEqual({
      apiBaseUrl: 'https://api.example.com',
      auth: { mode: 'dev-login' },
    });
  });

  it('takes an OpenID Connect provider for the code flow with PKCE', () => {
    const config = parseAppConfig({
      apiBaseUrl: '',
      auth: {
        mode: 'oidc',
        issuer: 'https://id.example.com',
        clientId: 'storefront',
        resource: 'https://api.example.com',
        providerName: 'Acme ID',
      },
    });
    expect(config.auth).toEqual({
      mode: 'oidc',
      issuer: 'https://id.example.com',
      clientId: 'storefront',
      scope: 'openid',
      resource: 'https://api.example.com',
      providerName: 'Acme ID',
    });
  });

  it('refuses a config it cannot use, naming the field', () => {
    expect(() => parseAppConfig({ apiBaseUrl: 'ftp://x' })).toThrowError(/apiBaseUrl/);
    expect(() => parseAppConfig({ auth: { mode: 'oidc', clientId: 'shop' } })).toThrowError(
      /auth.issuer/,
    );
    expect(() =>
      parseAppConfig({ auth: { mode: 'oidc', issuer: 'https://id.example.com' } }),
    ).toThrowError(/auth.clientId/);
    expect(() =>
      parseAppConfig({ auth: { mode: 'identity-provider', signInUrl: 'https://x' } }),
    ).toThrowError(/implicit flow.*replaced by "oidc"/);
    expect(() => parseAppConfig({ auth: { mode: 'magic' } })).toThrowError(/auth.mode/);
    expect(() => parseAppConfig('nope')).toThrowError(/JSON object/);
  });
});
