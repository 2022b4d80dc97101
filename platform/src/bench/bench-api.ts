import { startApiServer } from '../api/api-server.ts';
import type { ApiConfig } from '../api/config.ts';
import { createLogger } from '../observability/logger.ts';
import type { BenchServer } from './http-listener.ts';

export interface BenchApiOptions {
  readonly redisUrl: string;
  /** A key prefix of the bench's own, so its sales never meet the platform's. */
  readonly keyPrefix: string;
  readonly jwtSecret: string;
}

/**
 * The real API (the same `startApiServer` as cmd/api) in this process, on a free port, with
 * the per-user rate limit off: the bench's 64 buyers buy as fast as they can, which the
 * limit exists to stop.
 */
export async function startBenchApi(options: BenchApiOptions): Promise<BenchServer> {
  const config: ApiConfig = {
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.keyPrefix,
    // 0 asks the kernel for a free port (the schema wants 1-65535 from the environment).
    PORT: 0,
    HOST: '127.0.0.1',
    AUTH_JWT_SECRET: options.jwtSecret,
    AUTH_DEV_LOGIN: false,
    AUTH_JWKS_URL: '',
    AUTH_ISSUER: '',
    AUTH_AUDIENCE: '',
    AUTH_JWKS_COOLDOWN_SECONDS: 30,
    AUTH_JWKS_MAX_AGE_SECONDS: 600,
    AUTH_CLOCK_TOLERANCE_SECONDS: 5,
    CORS_ORIGIN: '',
    PURCHASE_RATE_LIMIT: 0,
    PURCHASE_RATE_WINDOW_MS: 1000,
    IDEMPOTENCY_TTL_SECONDS: 600,
    SHUTDOWN_READINESS_DELAY_MS: 0,
    SHUTDOWN_TIMEOUT_MS: 5000,
    LOG_LEVEL: 'warn',
  };
  const api = await startApiServer(config, createLogger('bench-api', 'warn'));
  return { url: `http://127.0.0.1:${api.port}`, close: () => api.shutdown() };
}
