import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { z } from 'zod';

/**
 * One Redis, or a Redis Cluster (docs/redis-cluster.md). Both speak the same commands; a
 * cluster routes each one by the slot of its keys, and every key of a sale shares the hash
 * tag `{sale}`, so each script, transaction and multi-key command stays on one slot.
 */
export type RedisClient = Redis | Cluster;

export interface ClusterTarget {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

const clusterSchemes = ['redis+cluster:', 'rediss+cluster:'];
const singleSchemes = ['redis:', 'rediss:'];

/** Whether a `REDIS_URL` names a cluster (`redis+cluster://host:port,host:port`). */
export function isClusterUrl(url: string): boolean {
  return clusterSchemes.some((scheme) => url.startsWith(`${scheme}//`));
}

function seedNode(entry: string, url: string): { host: string; port: number } {
  const match = /^([^\s:,/]+):(\d{1,5})$/.exec(entry.trim());
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `REDIS_URL=${JSON.stringify(url)}: "${entry}" is not host:port (expected redis+cluster://host:port[,host:port...])`,
    );
  }
  return { host: match[1], port };
}

/**
 * Parses `redis+cluster://[user:password@]host:port[,host:port...][/]` (`rediss+cluster:`
 * for TLS). The nodes are seeds: the client learns every master and slot from any one of them.
 */
export function parseClusterUrl(url: string): ClusterTarget {
  const scheme = clusterSchemes.find((candidate) => url.startsWith(`${candidate}//`));
  if (scheme === undefined)
    throw new Error(`REDIS_URL=${JSON.stringify(url)} is not a cluster URL`);
  const rest = url.slice(scheme.length + 2).replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const credentials = at < 0 ? '' : rest.slice(0, at);
  const hosts = at < 0 ? rest : rest.slice(at + 1);
  const [user, ...secret] = credentials.split(':');
  const nodes = hosts.split(',').map((entry) => seedNode(entry, url));
  return {
    nodes,
    tls: scheme === 'rediss+cluster:',
    ...(user ? { username: decodeURIComponent(user) } : {}),
    ...(secret.length > 0 ? { password: decodeURIComponent(secret.join(':')) } : {}),
  };
}

function validRedisUrl(value: string): boolean {
  if (isClusterUrl(value)) {
    try {
      return parseClusterUrl(value).nodes.length > 0;
    } catch {
      return false;
    }
  }
  try {
    return singleSchemes.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** `REDIS_URL`: one Redis (`redis://`, `rediss://`) or a cluster (`redis+cluster://h:p,h:p`). */
export const redisUrl = z.string().refine(validRedisUrl, {
  message:
    'expected a redis:// or rediss:// URL, or redis+cluster://host:port[,host:port...] for a Redis Cluster',
});

/** Options of one connection, and of each node's connection in a cluster. */
export type ClientOptions = Omit<RedisOptions, 'replyMapping'> & {
  /** For a cluster: how long to wait between attempts to reach any node (null: give up). */
  readonly clusterRetryStrategy?: ClusterOptions['clusterRetryStrategy'];
  /**
   * For a cluster: whether a command whose node connection closed is sent again (to the
   * slot's master once the slots are refreshed). ioredis also fails commands that were
   * already written that way, so the request path turns it off (docs/redis-cluster.md).
   */
  readonly resendOnClosedConnection?: boolean;
};

/**
 * A client for `url`: a plain client, or a cluster client whose node connections take the
 * same options. `keyPrefix`, `lazyConnect` and `enableOfflineQueue` apply to the cluster as a
 * whole.
 */
export function redisClient(url: string, options: ClientOptions = {}): RedisClient {
  const { clusterRetryStrategy, resendOnClosedConnection, ...redisOptions } = options;
  if (!isClusterUrl(url)) return new Redis(url, redisOptions);
  const target = parseClusterUrl(url);
  const { keyPrefix, lazyConnect, enableOfflineQueue, ...nodeOptions } = redisOptions;
  return new Cluster([...target.nodes], {
    ...defined({ keyPrefix, lazyConnect, enableOfflineQueue, clusterRetryStrategy }),
    // 0 turns off ioredis's resend of commands failed with "Connection is closed.".
    ...(resendOnClosedConnection === false ? { retryDelayOnFailover: 0 } : {}),
    redisOptions: {
      ...nodeOptions,
      ...defined({ username: target.username, password: target.password }),
      ...(target.tls ? { tls: {} } : {}),
    },
  });
}

/** The fields that have a value (exact optional property types refuse `undefined`). */
function defined<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/**
 * A client for the request path: no offline queue and no per-request retries, so a
 * request fails at once (503) while Redis is unreachable instead of waiting in a queue;
 * the connection itself keeps reconnecting in the background. Commands issued in the same
 * tick share one write (auto-pipelining): under a crowd, many purchase decisions per syscall.
 */
export function requestPathRedis(url: string, keyPrefix: string): RedisClient {
  const retry = (attempt: number): number => Math.min(50 * 2 ** attempt, 2000);
  return redisClient(url, {
    keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: retry,
    clusterRetryStrategy: retry,
    // A purchase decision that may have run must never run a second time on its own: the
    // buyer's retry with the same Idempotency-Key is what finds out.
    resendOnClosedConnection: false,
    autoResendUnfulfilledCommands: false,
    lazyConnect: true,
    enableAutoPipelining: true,
  });
}

/** A client for background work (relay, CLI): waits and retries rather than failing fast. */
export function backgroundRedis(url: string, keyPrefix: string): RedisClient {
  const retry = (attempt: number): number => Math.min(100 * 2 ** attempt, 5000);
  return redisClient(url, {
    keyPrefix,
    maxRetriesPerRequest: null,
    retryStrategy: retry,
    clusterRetryStrategy: retry,
    lazyConnect: true,
  });
}

/** A second connection to the same Redis or cluster (a subscriber, say). */
export function duplicateClient(client: RedisClient): RedisClient {
  return client instanceof Cluster ? client.duplicate() : client.duplicate();
}

/**
 * Every master: the one server, or each master of a cluster (for what one node cannot
 * answer for all: SCAN, CONFIG). A cluster client must be connected.
 */
export function masters(client: RedisClient): Redis[] {
  if (!(client instanceof Cluster)) return [client];
  const nodes = client.nodes('master');
  if (nodes.length === 0) throw new Error('the Redis Cluster client knows no master yet');
  return nodes;
}
