// The public entry of @flashsale/testkit: only what other workspaces and the specs use.
// Generated from those imports when the workspaces were split; keep it to what is imported.
export { createTestDatabase, dropTestDatabase } from './databases.ts';
export { eventually, isolatedNames } from './isolation.ts';
export { scrapeMetric } from './metrics.ts';
export { LocalOidcProvider, machineClients, providerKey } from './oidc-provider.ts';
export type { ProviderKey } from './oidc-provider.ts';
export {
  apiErrorOf,
  connectCluster,
  kubectl,
  manifestsIn,
  mustKubectl,
} from './operator/cluster-fixture.ts';
export type { Cluster } from './operator/cluster-fixture.ts';
export { ManualClock, settle } from './operator/manual-clock.ts';
export {
  OperatorFixture,
  condition,
  counterValue,
  secondsFromNow,
} from './operator/operator-fixture.ts';
export { ApiServerRecorder, RedisRecorder } from './operator/recording-proxies.ts';
export { IsolatedPlatform, freePort } from './platform.ts';
export { RawStream, rawExchange } from './raw-http.ts';
export type { RawAnswer } from './raw-http.ts';
export {
  deleteKeysUnderPrefix,
  keysMatching,
  onEveryMaster,
  onRedisCluster,
  redisServerOf,
} from './redis.ts';
export { stackStartTimeoutMs, useStack } from './stack.ts';
export type { StackEnv } from './stack.ts';
