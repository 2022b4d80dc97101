import { ReplyError } from 'ioredis';

/**
 * What a failed Redis call tells about the command it carried (docs/durability.md):
 * - `refused`: Redis answered with an error reply of a transient class (out of memory, a
 *   read-only replica, a busy script, no master, not enough replicas, a cluster that moved or
 *   does not serve the slot). The command did not run; a retry later may succeed.
 * - `not_sent`: the client never wrote the command (no connection and no offline queue).
 * - `unanswered`: the command was (or may have been) written and no answer came back (a
 *   command timeout, a connection lost with the command in flight). It may have run.
 * - `undefined`: not a transient Redis condition (a bug, a script error): a 500.
 */
export type RedisFailure = 'refused' | 'not_sent' | 'unanswered';

/**
 * Error codes (the first word of an error reply, as the Redis protocol defines it) of the
 * conditions that pass: the server is loading, full, read-only, busy, cut off from its
 * master or replicas, or the key lives elsewhere in a cluster.
 */
const transientReplyCodes: ReadonlySet<string> = new Set([
  'OOM',
  'READONLY',
  'BUSY',
  'LOADING',
  'MASTERDOWN',
  'NOREPLICAS',
  'CLUSTERDOWN',
  'MOVED',
  'ASK',
  'TRYAGAIN',
]);

/** Node socket error codes of a connection that broke with commands possibly in flight. */
const brokenConnectionCodes: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** Node socket error codes of a connection that was never made: nothing was sent. */
const refusedConnectionCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/** The error code of a Redis error reply: its first word (`READONLY You can't write…`). */
export function replyCode(error: Error): string {
  return /^[A-Z][A-Z0-9_-]*/.exec(error.message)?.[0] ?? '';
}

export function isReplyError(error: unknown): error is Error {
  return error instanceof (ReplyError as new (...args: never[]) => Error);
}

function socketCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/** Errors the ioredis client raises itself (it gives them no class but this one). */
function clientFailure(error: Error): RedisFailure | undefined {
  if (error.name === 'MaxRetriesPerRequestError') return 'unanswered';
  // Raised by ioredis's command timer (Command.setTimeout): the command was written.
  if (error.message === 'Command timed out') return 'unanswered';
  // ioredis refuses to queue a command while disconnected with the offline queue off.
  if (error.message.startsWith("Stream isn't writeable")) return 'not_sent';
  if (error.message === 'Connection is closed.') return 'unanswered';
  // A connection that closed after answering part of a pipeline (auto-pipelining makes one
  // of every batch): the commands after the last answer were written and may have run.
  if (error.name === 'AbortError' && error.message === 'Command aborted due to connection close')
    return 'unanswered';
  return undefined;
}

/**
 * A cluster client that ran out of redirections wraps the last node's error in its message
 * only (`Too many Cluster redirections. Last error: Error: Command timed out`).
 */
const clusterGaveUp = /^Too many Cluster redirections\. Last error: (?:(\w*Error): )?(.*)$/s;

function lastClusterFailure(error: Error): RedisFailure | undefined {
  const match = clusterGaveUp.exec(error.message);
  if (!match) return undefined;
  const [, kind, message = ''] = match;
  if (kind === 'ReplyError')
    return transientReplyCodes.has(replyCode(new Error(message))) ? 'refused' : undefined;
  // Whatever else the last attempt met, it may have been written: it may have run.
  return clientFailure(new Error(message)) ?? 'unanswered';
}

export function classifyRedisError(error: unknown): RedisFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  if (clusterGaveUp.test(error.message)) return lastClusterFailure(error);
  if (isReplyError(error)) return transientReplyCodes.has(replyCode(error)) ? 'refused' : undefined;
  const code = socketCode(error);
  if (brokenConnectionCodes.has(code)) return 'unanswered';
  if (refusedConnectionCodes.has(code)) return 'not_sent';
  return clientFailure(error);
}
