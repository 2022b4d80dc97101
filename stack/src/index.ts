export { installAll } from './install/index.ts';
export { imageNodeBinary } from './install/npm-package.ts';
export { up, down, status, components, stackEndpoints, type ComponentStatus } from './stack.ts';
export { doctor, formatDoctor, type DoctorRow } from './doctor.ts';
export { readEnvFile, writeEnvFile, formatEnv, parseEnv } from './env-file.ts';
export {
  registerScrapeTarget,
  unregisterScrapeTarget,
  prometheusUrl,
  prometheusRemoteWriteUrl,
} from './components/prometheus.ts';
export { kafkaBrokers } from './components/kafka.ts';
export { databaseName, fallbackServerRoot } from './components/postgres.ts';
export { describeFailure, StepError, log } from './progress.ts';
export { stateDir, cacheDir, envFilePath, kubeconfigPath, toolBin, projectRoot } from './paths.ts';
export { launch, stop, runningPid, logFile, type LaunchSpec } from './supervisor.ts';
export { statePath } from './paths.ts';
export { httpOk, portInUse } from './components/component.ts';
export {
  redisMode,
  redisClusterUrl,
  redisClusterNodeName,
  redisClusterNodePort,
  redisClusterNodes,
  ensureRedisCluster,
  type RedisMode,
} from './components/redis-cluster.ts';
export { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server.ts';
export {
  clusterUp,
  clusterDown,
  clusterStatus,
  clusterApiUrl,
  clusterWebUrl,
  releaseName,
  releaseNamespace,
  nodeMounts,
  type ClusterStatus,
} from './cluster/cluster.ts';
export { ownRulesLeft } from './cluster/network.ts';
export { nodeComponents } from './cluster/node-components.ts';
export {
  buildImages,
  ensureImages,
  imageSize,
  k6Image,
  dockerfileTargets,
} from './cluster/images.ts';
export { nodeNetwork, nodeAddress } from './node-network.ts';
export { run, runOrThrow } from './exec.ts';
export { versions } from './versions.ts';
