import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

/** A signing key as the provider holds it: private, with its `kid` and `alg`. */
export interface ProviderKey extends JWK {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
}

export async function providerKey(alg: 'RS256' | 'ES256', kid: string): Promise<ProviderKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
}

/** Machine clients (client credentials): one gets RS256 access tokens, the other ES256. */
export const machineClients = {
  rs256: { id: 'buyer-rs256', secret: randomBytes(16).toString('hex') },
  es256: { id: 'buyer-es256', secret: randomBytes(16).toString('hex') },
} as const;

export interface LocalProviderOptions {
  readonly port: number;
  /** The API's audience: the resource a token is for unless the client asks for another. */
  readonly audience: string;
  /** Redirect URIs of the storefront's public client (code flow with PKCE). */
  readonly storefrontRedirectUris?: readonly string[];
}

/**
 * A real OpenID Connect provider (node-oidc-provider) on loopback, issuing JWT access
 * tokens for the API's audience. Its keys are configuration: `rotate` restarts it on the
 * same port with a new key set, as a redeployed provider would.
 */
export class LocalOidcProvider {
  private server: Server | undefined;
  private readonly cookieKey = randomBytes(32).toString('hex');

  constructor(private readonly options: LocalProviderOptions) {}

  get issuer(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/jwks`;
  }

  async start(keys: readonly ProviderKey[]): Promise<void> {
    const provider = new Provider(this.issuer, this.configuration(keys));
    const handle = provider.callback();
    // No keep-alive: a restart (rotate) must not leave clients holding dead sockets.
    const server = createServer((request, response) => {
      response.setHeader('Connection', 'close');
      handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(this.options.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }

  async rotate(keys: readonly ProviderKey[]): Promise<void> {
    await this.stop();
    await this.start(keys);
  }

  /** A JWT access token by the client credentials grant; `sub` is the client id. */
  async machineToken(client: keyof typeof machineClients, resource?: string): Promise<string> {
    const { id, secret } = machineClients[client];
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (resource) body.set('resource', resource);
    const response = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
      body,
    });
    const answer = (await response.json()) as { access_token?: string };
    if (!response.ok || !answer.access_token) {
      throw new Error(`token request failed: ${response.status} ${JSON.stringify(answer)}`);
    }
    return answer.access_token;
  }

  private configuration(keys: readonly ProviderKey[]): Record<string, unknown> {
    const { audience, storefrontRedirectUris = [] } = this.options;
    const machine = Object.values(machineClients).map(({ id, secret }) => ({
      client_id: id,
      client_secret: secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    }));
    const storefront = {
      client_id: 'storefront',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: storefrontRedirectUris,
    };
    return {
      clients: storefrontRedirectUris.length > 0 ? [...machine, storefront] : machine,
      jwks: { keys },
      cookies: { keys: [this.cookieKey] },
      clientBasedCORS: () => true,
      features: {
        clientCredentials: { enabled: true },
        devInteractions: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (
            _ctx: unknown,
            resource: string,
            client: { clientId: string },
          ) => ({
            scope: 'purchase',
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 600,
            jwt: { sign: { alg: client.clientId === machineClients.es256.id ? 'ES256' : 'RS256' } },
          }),
        },
      },
    };
  }
}
