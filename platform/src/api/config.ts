import { z } from 'zod';
import { loadEnv, portNumber, urlWith, redisUrl } from '@flashsale/runtime';

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((value) => value === 'true' || value === '1');

interface AuthSettings {
  AUTH_JWT_SECRET?: string | undefined;
  AUTH_JWKS_URL: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  AUTH_DEV_LOGIN: boolean;
}

/** Which variables each sign-in mode needs: HS256 (local) or an OIDC provider's JWKS. */
function checkAuthMode(config: AuthSettings, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof AuthSettings, message: string): void =>
    ctx.addIssue({ code: 'custom', path: [variable], message });
  if (config.AUTH_JWKS_URL === '') {
    if (config.AUTH_JWT_SECRET === undefined)
      problem('AUTH_JWT_SECRET', 'set it (HS256 key, at least 32 characters) or set AUTH_JWKS_URL');
    return;
  }
  const jwks = 'required when AUTH_JWKS_URL is set';
  if (config.AUTH_ISSUER === '')
    problem('AUTH_ISSUER', `${jwks}: the exact "iss" of the provider's tokens`);
  if (config.AUTH_AUDIENCE === '')
    problem('AUTH_AUDIENCE', `${jwks}: the "aud" the provider gives this API's tokens`);
  if (config.AUTH_DEV_LOGIN)
    problem('AUTH_DEV_LOGIN', 'must be false when AUTH_JWKS_URL is set (dev login issues HS256)');
}

const count = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const apiConfigSchema = z
  .object({
    REDIS_URL: redisUrl,
    /** Prefix for every Redis key (isolates tests, or several platforms on one Redis). */
    REDIS_KEY_PREFIX: z.string().max(64).default(''),
    PORT: portNumber.default(8080),
    HOST: z.string().default('0.0.0.0'),
    /** HS256 key for local development and dev login; unused when AUTH_JWKS_URL is set. */
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 key)').optional(),
    /** An OIDC provider's key set: tokens are then RS256/ES256 from it (docs/identity.md). */
    AUTH_JWKS_URL: z.union([z.literal(''), urlWith('https:', 'http:')]).default(''),
    AUTH_ISSUER: z.string().default(''),
    AUTH_AUDIENCE: z.string().default(''),
    AUTH_JWKS_COOLDOWN_SECONDS: z.coerce.number().min(0).max(3600).default(30),
    AUTH_JWKS_MAX_AGE_SECONDS: z.coerce.number().min(1).default(600),
    AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
    AUTH_DEV_LOGIN: flag,
    /** The storefront's origin, allowed by CORS; unset means no cross-origin access. */
    CORS_ORIGIN: z.string().default(''),
    PURCHASE_RATE_LIMIT: z.coerce.number().int().min(0).default(10),
    PURCHASE_RATE_WINDOW_MS: z.coerce.number().int().min(100).default(1000),
    IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(60).default(86_400),
    /** Replicas that must hold a purchase (Redis WAIT) before it is answered (docs/durability.md). */
    REDIS_MIN_REPLICAS_ACK: z.coerce.number().int().min(0).max(16).default(0),
    /** How long WAIT may take; under the request path's 2 s command timeout. */
    REDIS_REPLICA_ACK_TIMEOUT_MS: z.coerce.number().int().min(10).max(1500).default(500),
    /** How long /readyz fails before the server stops accepting connections on SIGTERM. */
    SHUTDOWN_READINESS_DELAY_MS: z.coerce.number().int().min(0).default(5000),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(25_000),
    /** Server-Sent-Events streams per process, and per client address (docs/http-api.md). */
    SSE_MAX_CLIENTS: count(1, 1_000_000).default(10_000),
    SSE_MAX_CLIENTS_PER_ADDRESS: count(1, 1_000_000).default(32),
    /** Unsent bytes a stream may hold before its client is dropped as too slow. */
    SSE_MAX_BUFFERED_BYTES: count(1024, 64 * 1024 * 1024).default(65_536),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .superRefine(checkAuthMode);

export type ApiConfig = z.infer<typeof apiConfigSchema>;

export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig =>
  loadEnv(apiConfigSchema, env);
