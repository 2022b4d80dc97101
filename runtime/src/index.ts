// The public entry of @flashsale/runtime: only what other workspaces and the specs use.
// Generated from those imports when the workspaces were split; keep it to what is imported.
export { ConfigError, hostPortList, loadEnv, portNumber, urlWith } from './config/env.ts';
export { createKafkaClient } from './kafka/kafka-client.ts';
export { purchasesTopic } from './kafka/topics.ts';
export { createLogger } from './observability/logger.ts';
export type { Logger } from './observability/logger.ts';
export { createRegistry, lastKnown } from './observability/metrics.ts';
export { startOpsServer } from './observability/ops-server.ts';
export {
  SpanKind,
  SpanStatusCode,
  activeTraceparent,
  context,
  contextFrom,
  describeSampler,
  inSpan,
  injectInto,
  samplerChoiceFromEnv,
  startTracing,
  trace,
  traceLogFields,
  tracer,
  tracingEnabled,
} from './observability/tracing.ts';
export type { Tracing } from './observability/tracing.ts';
export { Backoff, backoffDelayMs, defaultBackoff } from './process/backoff.ts';
export type { BackoffOptions } from './process/backoff.ts';
export { systemClock } from './process/clock.ts';
export type { Clock, Timer } from './process/clock.ts';
export { pollUntil, pollUntilTrue, stopwatch } from './process/poll.ts';
export type { PollOptions, Stopwatch } from './process/poll.ts';
export { runToCompletion, runUntilSignalled } from './process/lifecycle.ts';
export { luaScript } from './redis/lua-script.ts';
export {
  backgroundRedis,
  duplicateClient,
  isClusterUrl,
  masters,
  redisClient,
  redisUrl,
  requestPathRedis,
} from './redis/redis-client.ts';
export type { RedisClient } from './redis/redis-client.ts';
export { classifyRedisError } from './redis/redis-errors.ts';
export { deleteKeysUnderPrefix } from './redis/redis-keys.ts';
export { checkRedisPersistence, registerPersistenceInfo } from './redis/redis-persistence.ts';
