import { Redis } from 'ioredis';

/**
 * A Redis client for the request path: no offline queue and no per-request retries, so a
 * request fails at once (503) while Redis is unreachable instead of waiting in a queue;
 * the connection itself keeps reconnecting in the background. Commands issued in the same
 * tick share one write (auto-pipelining): under a crowd, many purchase decisions per syscall.
 */
export function requestPathRedis(url: string, keyPrefix: string): Redis {
  return new Redis(url, {
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
    lazyConnect: true,
    enableAutoPipelining: true,
  });
}

/** A client for background work (relay, CLI): waits and retries rather than failing fast. */
export function backgroundRedis(url: string, keyPrefix: string): Redis {
  return new Redis(url, {
    keyPrefix,
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 5000),
    lazyConnect: true,
  });
}
