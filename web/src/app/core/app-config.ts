import { InjectionToken } from '@angular/core';

/**
 * How buyers sign in. `dev-login` trades a user name for a token at the API's dev-login
 * route (local mode only). `identity-provider` sends buyers to `signInUrl`, which must
 * return them to `/sign-in#access_token=<JWT>` (OAuth 2 implicit-style redirect); any
 * bearer token the API accepts works.
 */
export type AuthMode = 'dev-login' | 'identity-provider';

export interface AuthConfig {
  readonly mode: AuthMode;
  readonly signInUrl?: string;
  readonly providerName?: string;
}

/** The runtime configuration, read from `config.json` next to index.html. */
export interface AppConfig {
  /** Origin (and optional path) of the API, without a trailing slash; empty = same origin. */
  readonly apiBaseUrl: string;
  readonly auth: AuthConfig;
}

export const APP_CONFIG = new InjectionToken<AppConfig>('AppConfig');

function invalid(what: string): never {
  throw new Error(`config.json: ${what}`);
}

function parseAuth(raw: unknown): AuthConfig {
  if (raw === undefined) return { mode: 'dev-login' };
  if (typeof raw !== 'object' || raw === null) invalid('"auth" must be an object');
  const auth = raw as Record<string, unknown>;
  const mode = auth['mode'] ?? 'dev-login';
  if (mode === 'dev-login') return { mode };
  if (mode !== 'identity-provider') invalid('"auth.mode" is "dev-login" or "identity-provider"');
  const signInUrl = auth['signInUrl'];
  if (typeof signInUrl !== 'string' || !/^https?:\/\//.test(signInUrl))
    invalid('"auth.signInUrl" must be an http(s) URL when auth.mode is "identity-provider"');
  const providerName =
    typeof auth['providerName'] === 'string' ? auth['providerName'] : 'your account';
  return { mode, signInUrl, providerName };
}

export function parseAppConfig(raw: unknown): AppConfig {
  if (typeof raw !== 'object' || raw === null) invalid('must be a JSON object');
  const config = raw as Record<string, unknown>;
  const apiBaseUrl = config['apiBaseUrl'] ?? '';
  if (typeof apiBaseUrl !== 'string' || (apiBaseUrl !== '' && !/^https?:\/\//.test(apiBaseUrl)))
    invalid('"apiBaseUrl" must be an http(s) URL, or empty for the same origin');
  return { apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''), auth: parseAuth(config['auth']) };
}

export async function loadAppConfig(url = 'config.json'): Promise<AppConfig> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) invalid(`HTTP ${response.status}`);
  return parseAppConfig(await response.json());
}
