import { z } from 'zod';
import { loadEnv, portNumber, urlWith } from '../config/env.ts';

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((value) => value === 'true' || value === '1');

const count = (min: number, max: number) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const apiConfigSchema = z.object({
  REDIS_URL: urlWith('redis:', 'rediss:'),
  /** Prefix for every Redis key (isolates tests, or several platforms on one Redis). */
  REDIS_KEY_PREFIX: z.string().max(64).default(''),
  PORT: portNumber.default(8080),
  HOST: z.string().default('0.0.0.0'),
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 key)'),
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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ApiConfig = z.infer<typeof apiConfigSchema>;

export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig =>
  loadEnv(apiConfigSchema, env);
