import { inject, Injectable, InjectionToken } from '@angular/core';
import * as oauth from 'oauth4webapi';
import { APP_CONFIG, type OidcConfig } from '../core/app-config';

/** The fetch the sign-in flow uses (discovery and token requests); specs give their own. */
export const OIDC_FETCH = new InjectionToken<typeof fetch>('OidcFetch', {
  providedIn: 'root',
  factory: () => (input, init) => fetch(input, init),
});

/** What survives the round trip through the provider: one sign-in attempt, used once. */
interface PendingSignIn {
  readonly state: string;
  readonly codeVerifier: string;
  readonly returnUrl: string;
}

export interface CompletedSignIn {
  readonly accessToken: string;
  readonly returnUrl: string;
}

const pendingKey = 'flashsale.oidc.pending';

/** A failure the buyer can act on; `message` is shown as is. */
export class SignInError extends Error {}

function explain(error: unknown): SignInError {
  if (error instanceof SignInError) return error;
  if (error instanceof oauth.AuthorizationResponseError) {
    const detail = error.error_description ?? error.error;
    return new SignInError(`The identity provider refused the sign-in: ${detail}.`);
  }
  if (error instanceof oauth.ResponseBodyError) {
    const detail = error.error_description ?? error.error;
    return new SignInError(`The identity provider did not issue a token: ${detail}.`);
  }
  if (error instanceof oauth.OperationProcessingError && /"state"/.test(error.message)) {
    return new SignInError(
      'This sign-in answer does not match the request (state). Sign in again.',
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new SignInError(`Sign-in failed: ${detail}`);
}

/**
 * The authorization code flow with PKCE (RFC 7636, as RFC 9700 advises for browser apps),
 * with oauth4webapi: `begin` stores a state and a code verifier in sessionStorage and gives
 * the provider's authorization URL; the provider sends the buyer back to /sign-in with a
 * code, which `complete` trades, with the verifier, for the access token the API checks.
 */
@Injectable({ providedIn: 'root' })
export class OidcSignIn {
  private readonly fetch = inject(OIDC_FETCH);
  private readonly appConfig = inject(APP_CONFIG);
  private server: Promise<oauth.AuthorizationServer> | undefined;

  private get config(): OidcConfig {
    const auth = this.appConfig.auth;
    if (auth.mode !== 'oidc') throw new SignInError('Sign-in with a provider is not configured.');
    return auth;
  }

  /** Where the provider sends the buyer back: this app's /sign-in route. */
  redirectUri(): string {
    return this.config.redirectUri ?? `${location.origin}/sign-in`;
  }

  /** Whether a URL is the provider's answer (a code, or an error). */
  isCallback(url: URL): boolean {
    return (
      url.searchParams.has('state') &&
      (url.searchParams.has('code') || url.searchParams.has('error'))
    );
  }

  async begin(returnUrl: string): Promise<URL> {
    const config = this.config;
    const server = await this.authorizationServer();
    const pending: PendingSignIn = {
      state: oauth.generateRandomState(),
      codeVerifier: oauth.generateRandomCodeVerifier(),
      returnUrl,
    };
    sessionStorage.setItem(pendingKey, JSON.stringify(pending));
    if (!server.authorization_endpoint)
      throw new SignInError('The provider has no authorization endpoint.');
    const url = new URL(server.authorization_endpoint);
    url.searchParams.set('client_id', config.clientId);
    url.searchParams.set('redirect_uri', this.redirectUri());
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', config.scope);
    url.searchParams.set('state', pending.state);
    url.searchParams.set(
      'code_challenge',
      await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    );
    url.searchParams.set('code_challenge_method', 'S256');
    if (config.resource) url.searchParams.set('resource', config.resource);
    return url;
  }

  async complete(callbackUrl: URL): Promise<CompletedSignIn> {
    const pending = this.takePending();
    try {
      const server = await this.authorizationServer();
      const client: oauth.Client = { client_id: this.config.clientId };
      const parameters = oauth.validateAuthResponse(server, client, callbackUrl, pending.state);
      const resource = this.config.resource;
      const response = await oauth.authorizationCodeGrantRequest(
        server,
        client,
        oauth.None(),
        parameters,
        this.redirectUri(),
        pending.codeVerifier,
        { ...this.requestOptions(), ...(resource ? { additionalParameters: { resource } } : {}) },
      );
      const result = await oauth.processAuthorizationCodeResponse(server, client, response);
      return { accessToken: result.access_token, returnUrl: pending.returnUrl };
    } catch (error) {
      throw explain(error);
    }
  }

  private takePending(): PendingSignIn {
    const stored = sessionStorage.getItem(pendingKey);
    sessionStorage.removeItem(pendingKey);
    const pending = stored ? (JSON.parse(stored) as Partial<PendingSignIn>) : undefined;
    if (!pending?.state || !pending.codeVerifier) {
      throw new SignInError(
        'This sign-in was not started in this tab, or was already used. Sign in again.',
      );
    }
    return {
      state: pending.state,
      codeVerifier: pending.codeVerifier,
      returnUrl: pending.returnUrl ?? '/sales',
    };
  }

  private requestOptions(): {
    [oauth.customFetch]: typeof fetch;
    [oauth.allowInsecureRequests]: boolean;
  } {
    // Plain http only for a provider on loopback (local runs and tests), never otherwise.
    const loopback = /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(this.config.issuer);
    return { [oauth.customFetch]: this.fetch, [oauth.allowInsecureRequests]: loopback };
  }

  private authorizationServer(): Promise<oauth.AuthorizationServer> {
    this.server ??= (async () => {
      const issuer = new URL(this.config.issuer);
      const response = await oauth.discoveryRequest(issuer, this.requestOptions());
      return oauth.processDiscoveryResponse(issuer, response);
    })().catch((error: unknown) => {
      this.server = undefined;
      throw explain(error);
    });
    return this.server;
  }
}
