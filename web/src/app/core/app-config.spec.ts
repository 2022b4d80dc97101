import { parseAppConfig } from './app-config';

describe('parseAppConfig', () => {
  it('reads the API base URL without a trailing slash, and defaults to dev login', () => {
    expect(parseAppConfig({ apiBaseUrl: 'https://api.example.com/' })).toEqual({
      apiBaseUrl: 'https://api.example.com',
      auth: { mode: 'dev-login' },
    });
  });

  it('takes an identity provider with its sign-in URL', () => {
    const config = parseAppConfig({
      apiBaseUrl: '',
      auth: {
        mode: 'identity-provider',
        signInUrl: 'https://idp.example.com/authorize',
        providerName: 'Acme ID',
      },
    });
    expect(config.auth).toEqual({
      mode: 'identity-provider',
      signInUrl: 'https://idp.example.com/authorize',
      providerName: 'Acme ID',
    });
  });

  it('refuses a config it cannot use, naming the field', () => {
    expect(() => parseAppConfig({ apiBaseUrl: 'ftp://x' })).toThrowError(/apiBaseUrl/);
    expect(() => parseAppConfig({ auth: { mode: 'identity-provider' } })).toThrowError(/signInUrl/);
    expect(() => parseAppConfig({ auth: { mode: 'magic' } })).toThrowError(/auth.mode/);
    expect(() => parseAppConfig('nope')).toThrowError(/JSON object/);
  });
});
