import { ReplyError } from 'ioredis';
import { classifyRedisError, replyCode } from './redis-errors.ts';

const reply = (message: string): Error =>
  new (ReplyError as new (message: string) => Error)(message);

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });
}

// The replies below are what Redis 7 sends; the integration spec (api/redis-faults.int.test.ts)
// produces the ones a single machine can produce for real.
describe('redis errors: classifyRedisError', () => {
  it('takes every transient error reply as "refused", by its code', () => {
    const replies = [
      "OOM command not allowed when used memory > 'maxmemory'. script: 1f2e, on @user_script:1.",
      "READONLY You can't write against a read only replica.",
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
      'LOADING Redis is loading the dataset in memory',
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      'NOREPLICAS Not enough good replicas to write.',
      'CLUSTERDOWN Hash slot not served',
      'CLUSTERDOWN The cluster is down',
      'MOVED 3999 127.0.0.1:6381',
      'ASK 3999 127.0.0.1:6381',
      'TRYAGAIN Multiple keys request during rehashing of slot',
    ];
    for (const message of replies) {
      expect(classifyRedisError(reply(message)))
        .withContext(message)
        .toBe('refused');
    }
  });

  it('leaves other error replies alone (they are bugs: a 500)', () => {
    const replies = [
      'ERR wrong number of arguments for command',
      'WRONGTYPE Operation against a key holding the wrong kind of value',
      "ERR user_script:3: Script attempted to access nonexistent global variable 'x'",
      // The code is the first word: a message merely mentioning a transient condition is not one.
      'ERR Error running script: READONLY somewhere in the text',
      'NOPERM this user has no permissions to run the config command',
    ];
    for (const message of replies) {
      expect(classifyRedisError(reply(message)))
        .withContext(message)
        .toBeUndefined();
    }
  });

  it('matches by class: a plain Error reading like a reply is not a reply', () => {
    expect(
      classifyRedisError(new Error("READONLY You can't write against a read only replica.")),
    ).toBeUndefined();
    expect(classifyRedisError(new Error('MOVED 3999 127.0.0.1:6381'))).toBeUndefined();
    expect(classifyRedisError('OOM')).toBeUndefined();
    expect(classifyRedisError(undefined)).toBeUndefined();
  });

  it('takes a command timeout or a connection lost in flight as "unanswered" (it may have run)', () => {
    expect(classifyRedisError(new Error('Command timed out'))).toBe('unanswered');
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit'), {
      name: 'MaxRetriesPerRequestError',
    });
    expect(classifyRedisError(maxRetries)).toBe('unanswered');
    expect(classifyRedisError(socketError('ECONNRESET'))).toBe('unanswered');
    expect(classifyRedisError(socketError('EPIPE'))).toBe('unanswered');
    expect(classifyRedisError(new Error('Connection is closed.'))).toBe('unanswered');
  });

  it('takes the rest of a pipeline cut off by a closed connection as "unanswered"', () => {
    class AbortError extends Error {
      override get name(): string {
        return 'AbortError';
      }
    }
    expect(classifyRedisError(new AbortError('Command aborted due to connection close'))).toBe(
      'unanswered',
    );
    // Another abort (a request's AbortSignal, say) is not a Redis condition.
    expect(classifyRedisError(new AbortError('This operation was aborted'))).toBeUndefined();
  });

  it('takes a command never written as "not_sent"', () => {
    expect(
      classifyRedisError(
        new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      ),
    ).toBe('not_sent');
    expect(classifyRedisError(socketError('ECONNREFUSED'))).toBe('not_sent');
  });

  it('reads a cluster client that gave up by its last error', () => {
    const gaveUp = (last: string): Error =>
      new Error(`Too many Cluster redirections. Last error: ${last}`);
    expect(classifyRedisError(gaveUp('Error: Command timed out'))).toBe('unanswered');
    expect(classifyRedisError(gaveUp('Error: Connection is closed.'))).toBe('unanswered');
    expect(classifyRedisError(gaveUp('ReplyError: CLUSTERDOWN The cluster is down'))).toBe(
      'refused',
    );
    expect(
      classifyRedisError(
        gaveUp("Error: Stream isn't writeable and enableOfflineQueue options is false"),
      ),
    ).toBe('not_sent');
    expect(classifyRedisError(gaveUp('ReplyError: ERR unknown command'))).toBeUndefined();
  });

  it('reads the code as the first word of the reply', () => {
    expect(replyCode(reply('MOVED 3999 127.0.0.1:6381'))).toBe('MOVED');
    expect(replyCode(reply('no code here'))).toBe('');
  });
});
