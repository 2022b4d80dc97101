import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import type { Command } from 'ioredis';
import type { RedisClient } from '@flashsale/runtime';
import type { Sequelize } from 'sequelize';

/** A write attempted by a replica whose lease is no longer valid. */
export class NotLeaderError extends Error {
  constructor(what: string) {
    super(`refused ${what}: this replica no longer holds a valid leader lease`);
    this.name = 'NotLeaderError';
  }
}

export interface WriteFence {
  /** Whether writes are allowed at this instant. */
  readonly mayWrite: () => boolean;
  readonly onRefused: () => void;
}

/**
 * A KubeConfig whose API clients give every request a timeout and, with a fence, refuse any
 * request that is not a read while the fence is closed. The check runs as the request is
 * sent, so a write that was waiting while the process was frozen is refused too. Watches
 * are long-lived and go through another path: they are neither timed out nor fenced.
 */
export function guardedKubeConfig(
  base: KubeConfig,
  timeoutMs: number,
  fence?: WriteFence,
): KubeConfig {
  const guarded = new GuardedKubeConfig(timeoutMs, fence);
  guarded.loadFromOptions({
    clusters: base.getClusters(),
    users: base.getUsers(),
    contexts: base.getContexts(),
    currentContext: base.getCurrentContext(),
  });
  return guarded;
}

class GuardedKubeConfig extends KubeConfig {
  constructor(
    private readonly timeoutMs: number,
    private readonly fence: WriteFence | undefined,
  ) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const method = String(context.getHttpMethod());
    if (this.fence && method !== 'GET' && !this.fence.mayWrite()) {
      this.fence.onRefused();
      throw new NotLeaderError(`${method} ${new URL(context.getUrl()).pathname}`);
    }
    context.setSignal(AbortSignal.timeout(this.timeoutMs));
  }
}

/** What a connection may still send once the fence is closed: its own housekeeping. */
const connectionCommands = new Set(['auth', 'hello', 'select', 'client', 'info', 'ping', 'quit']);

/**
 * Refuses every Redis command but connection housekeeping while the fence is closed, before
 * it is queued or sent: a replica that lost its lease must not touch a sale.
 */
export function fenceRedis(redis: RedisClient, fence: WriteFence): void {
  const send = redis.sendCommand.bind(redis) as (command: Command, ...rest: never[]) => unknown;
  redis.sendCommand = (command: Command, ...rest: never[]) => {
    if (!connectionCommands.has(command.name.toLowerCase()) && !fence.mayWrite()) {
      fence.onRefused();
      command.reject(new NotLeaderError(`Redis ${command.name}`));
      return command.promise;
    }
    return send(command, ...rest);
  };
}

/** Refuses every PostgreSQL query while the fence is closed (add after migrations ran). */
export function fenceDatabase(database: Sequelize, fence: WriteFence): void {
  database.addHook('beforeQuery', () => {
    if (fence.mayWrite()) return;
    fence.onRefused();
    throw new NotLeaderError('a PostgreSQL query');
  });
}
