import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { HttpError } from './http-error.ts';

/** Signature algorithms accepted from an identity provider (asymmetric only). */
export const providerAlgorithms = ['RS256', 'ES256'] as const;

export interface JwksVerifierOptions {
  /** The provider's JSON Web Key Set, e.g. https://id.example.com/.well-known/jwks.json */
  readonly jwksUrl: string;
  /** The exact `iss` the provider puts in its tokens. */
  readonly issuer: string;
  /** The `aud` this API answers to (the provider's resource or API identifier). */
  readonly audience: string;
  /** How long after a fetch an unknown `kid` may trigger a new fetch (rotation pick-up). */
  readonly cooldownMs: number;
  /** How long fetched keys are used before they are fetched again regardless. */
  readonly cacheMaxAgeMs: number;
  readonly clockToleranceSeconds: number;
}

const subjectPattern = /^[\x21-\x7e]{1,128}$/;

/** Errors that mean "the provider's key set could not be had", not "the token is bad". */
const providerFailures = new Set([
  errors.JWKSTimeout.code,
  errors.JWKSInvalid.code,
  errors.JOSEError.code,
]);

function refusal(error: unknown): HttpError {
  if (!(error instanceof errors.JOSEError) || providerFailures.has(error.code)) {
    return new HttpError(503, 'unavailable', 'the identity provider keys cannot be fetched', {
      'Retry-After': '5',
    });
  }
  if (error instanceof errors.JWTExpired) {
    return new HttpError(401, 'unauthorized', 'the token has expired');
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new HttpError(
      401,
      'unauthorized',
      'the token is signed by a key the provider does not publish',
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new HttpError(401, 'unauthorized', `the token is not valid (${error.claim})`);
  }
  return new HttpError(401, 'unauthorized', 'the token is not valid');
}

/**
 * Tokens from an OIDC provider, verified against its published keys (docs/identity.md).
 * jose keeps the key set in memory, refetches it when a token names an unknown `kid` (at
 * most once per cooldown), and so picks up key rotation without a restart.
 */
export class JwksTokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: JwksVerifierOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: options.cooldownMs,
      cacheMaxAge: options.cacheMaxAgeMs,
      timeoutDuration: 5000,
    });
  }

  async verify(token: string): Promise<string> {
    let sub: unknown;
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        algorithms: [...providerAlgorithms],
        issuer: this.options.issuer,
        audience: this.options.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: this.options.clockToleranceSeconds,
      });
      sub = payload.sub;
    } catch (error) {
      throw refusal(error);
    }
    if (typeof sub !== 'string' || !subjectPattern.test(sub)) {
      throw new HttpError(401, 'unauthorized', 'the token has no usable subject (sub)');
    }
    return sub;
  }
}
