import { pollUntil, stopwatch } from '@flashsale/runtime';
import type { Component } from './components/component.ts';
import { portInUse } from './components/component.ts';
import { etcd } from './components/etcd.ts';
import { jaeger } from './components/jaeger.ts';
import { kafka } from './components/kafka.ts';
import { kubeApiserver } from './components/kube-apiserver.ts';
import { postgres } from './components/postgres.ts';
import { prometheus } from './components/prometheus.ts';
import { redis } from './components/redis.ts';
import { redisClusterNodes, redisMode } from './components/redis-cluster.ts';
import { writeEnvFile } from './env-file.ts';
import { tail } from './exec.ts';
import { envFilePath } from './paths.ts';
import { port, portSpecs } from './ports.ts';
import { StepError, log } from './progress.ts';
import { launch, logFile, runningPid, stop } from './supervisor.ts';

/** Every server of the local stack, in start order (a component follows what it depends on). */
export const components: readonly Component[] = [
  redis,
  postgres,
  kafka,
  etcd,
  prometheus,
  kubeApiserver,
  jaeger,
];

/**
 * What `up` starts and `status` shows: the stack, plus the three Redis Cluster nodes when
 * FLASHSALE_REDIS_MODE=cluster (docs/redis-cluster.md). `down` stops them either way.
 */
export function activeComponents(): readonly Component[] {
  return redisMode() === 'cluster' ? [...components, ...redisClusterNodes] : components;
}

const everyComponent: readonly Component[] = [...components, ...redisClusterNodes];

export interface ComponentStatus {
  readonly name: string;
  readonly pid: number | undefined;
  readonly ready: boolean;
  readonly port: number;
}

const componentPort = (component: Component): number =>
  component.port?.() ?? port(component.portName);

async function waitReady(component: Component, pid: number): Promise<void> {
  const ready = await pollUntil(
    async () => {
      if (await component.isReady()) return true;
      if ((await runningPid(component.name)) === pid) return undefined;
      throw new StepError(
        component.name,
        `exited during start-up; last lines of ${logFile(component.name)}:\n${await tail(logFile(component.name), 15)}`,
        'fix the cause above, or reset its data with `npx flashsale stack down && rm -rf .flashsale`',
      );
    },
    { timeoutMs: component.readyTimeoutMs, intervalMs: 200 },
  );
  if (ready) return;
  throw new StepError(
    component.name,
    `not ready after ${component.readyTimeoutMs / 1000}s; last lines of ${logFile(component.name)}:\n${await tail(logFile(component.name), 15)}`,
    'check the log above; `npx flashsale stack down` then `up` restarts it',
  );
}

/** Starts one component unless it already runs and answers; returns what it did. */
async function ensureRunning(component: Component): Promise<'running' | 'started'> {
  const pid = await runningPid(component.name);
  if (pid !== undefined) {
    if (await component.isReady()) return 'running';
    // Ours but not answering (still starting, or wedged): give it its start-up time, then replace it.
    await waitReady(component, pid).catch(() => stop(component.name));
    if ((await runningPid(component.name)) !== undefined) return 'running';
  }
  if (await portInUse(componentPort(component))) {
    throw new StepError(
      component.name,
      `port ${componentPort(component)} is taken by a process this stack did not start`,
      `stop whatever listens there, or set ${portSpecs[component.portName].envVar} to another port`,
    );
  }
  await component.prepare();
  const started = await launch(await component.launchSpec());
  await waitReady(component, started);
  return 'started';
}

async function bringUp(component: Component): Promise<void> {
  const watch = stopwatch();
  const outcome = await ensureRunning(component);
  await component.afterReady?.();
  const took = watch.seconds();
  log(
    `    ${component.name}: ${outcome === 'running' ? 'already running' : `started in ${took}s`} (port ${componentPort(component)})`,
  );
}

export function stackEndpoints(): Record<string, string> {
  return Object.assign(
    {},
    ...activeComponents().map((component) => component.endpoints()),
  ) as Record<string, string>;
}

/**
 * Starts whatever of the stack is not running (independent components in parallel), waits
 * until each answers, then writes the endpoints file. Running it again is harmless; after a
 * crash it restarts only what crashed.
 */
export async function up(): Promise<Record<string, string>> {
  const done = new Map<string, Promise<void>>();
  const start = (component: Component): Promise<void> => {
    const existing = done.get(component.name);
    if (existing) return existing;
    const dependencies = component.dependsOn.map((name) => {
      const dependency = everyComponent.find((candidate) => candidate.name === name);
      if (!dependency) throw new Error(`${component.name} depends on unknown component ${name}`);
      return start(dependency);
    });
    const started = Promise.all(dependencies).then(() => bringUp(component));
    done.set(component.name, started);
    return started;
  };
  const results = await Promise.allSettled(activeComponents().map(start));
  const failure = results.find(
    (result): result is PromiseRejectedResult => result.status === 'rejected',
  );
  if (failure) throw failure.reason;
  const endpoints = stackEndpoints();
  await writeEnvFile(endpoints);
  log(`    endpoints written to ${envFilePath()}`);
  return endpoints;
}

/** Stops every component this stack started, dependants first. */
export async function down(): Promise<string[]> {
  const stopped: string[] = [];
  for (const component of [...everyComponent].reverse()) {
    if (await stop(component.name)) stopped.push(component.name);
  }
  return stopped;
}

export async function status(): Promise<ComponentStatus[]> {
  return Promise.all(
    activeComponents().map(async (component) => {
      const pid = await runningPid(component.name);
      const ready = pid !== undefined && (await component.isReady());
      return { name: component.name, pid, ready, port: componentPort(component) };
    }),
  );
}
