import { InjectionToken } from '@angular/core';

/**
 * How buyers sign in. `dev-login` trades a user name for a token at the API's dev-login
 * route (local mode only). `oidc` signs buyers in at an OpenID Connect provider with the
 * authorization code flow and PKCE (docs/identity.md); the API verifies the access token.
 */
export type AuthMode = 'dev-login' | 'oidc';

export interface DevLoginConfig {
  readonly mode: 'dev-login';
}

export interface OidcConfig {
  readonly mode: 'oidc';
  /** The provider's issuer URL; its /.well-known/openid-configuration is read at sign-in. */
  readonly issuer: string;
  /** The storefront's public client id at the provider (no secret). */
  readonly clientId: string;
  readonly scope: string;
  /** The API's identifier, sent as `resource` (RFC 8707) so the token's `aud` is the API. */
  readonly resource?: string;
  /** Defaults to this origin's /sign-in. */
  readonly redirectUri?: string;
  readonly providerName: string;
}

export type AuthConfig = DevLoginConfig | OidcConfig;

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

const httpUrl = /^https?:\/\/[^\s]+$/;

function optionalUrl(auth: Record<string, unknown>, field: string): string | undefined {
  const value = auth[field];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !httpUrl.test(value))
    invalid(`"auth.${field}" must be an http(s) URL`);
  return value;
}

/** A non-blank string at `auth[field]` (or `fallback` when the field is absent). */
function requiredText(
  auth: Record<string, unknown>,
  field: string,
  message: string,
  fallback?: string,
): string {
  const value = auth[field] ?? fallback;
  if (typeof value !== 'string' || value.trim() === '') invalid(message);
  return value;
}

function optionalText(auth: Record<string, unknown>, field: string): string | undefined {
  const value = auth[field];
  if (value !== undefined && typeof value !== 'string') invalid(`"auth.${field}" must be a string`);
  return value;
}

function parseOidc(auth: Record<string, unknown>): OidcConfig {
  const issuer = optionalUrl(auth, 'issuer');
  if (!issuer)
    invalid('"auth.issuer" (the provider\'s issuer URL) is required when auth.mode is "oidc"');
  const clientId = requiredText(
    auth,
    'clientId',
    '"auth.clientId" is required when auth.mode is "oidc"',
  );
  const scope = requiredText(auth, 'scope', '"auth.scope" must be a non-empty string', 'openid');
  const providerName =
    typeof auth['providerName'] === 'string' ? auth['providerName'] : 'your account';
  const resource = optionalText(auth, 'resource');
  const redirectUri = optionalUrl(auth, 'redirectUri');
  return {
    mode: 'oidc',
    issuer,
    clientId,
    scope,
    providerName,
    ...(resource ? { resource } : {}),
    ...(redirectUri ? { redirectUri } : {}),
  };
}

function parseAuth(raw: unknown): AuthConfig {
  if (raw === undefined) return { mode: 'dev-login' };
  if (typeof raw !== 'object' || raw === null) invalid('"auth" must be an object');
  const auth = raw as Record<string, unknown>;
  const mode = auth['mode'] ?? 'dev-login';
  if (mode === 'dev-login') return { mode };
  if (mode === 'oidc') return parseOidc(auth);
  if (mode === 'identity-provider')
    invalid(
      '"auth.mode" "identity-provider" (implicit flow) is replaced by "oidc" (code flow with PKCE): set auth.issuer and auth.clientId',
    );
  return invalid('"auth.mode" is "dev-login" or "oidc"');
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
