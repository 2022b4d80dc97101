import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { startRedisServer, type RedisServer } from '@flashsale/stack';
import { eventually, isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';
import { createLogger, type Logger } from '@flashsale/runtime';
import { relayConfigSchema } from '../outbox/relay-config.ts';
import { startRelayProcess } from '../outbox/relay-process.ts';
import { saleKeys } from '../sales/sale-keys.ts';
import { SaleStore } from '../sales/sale-store.ts';
import { startApiServer, type ApiServer } from './api-server.ts';
import { apiConfigSchema } from './config.ts';

const secret = 'faults-spec-secret-with-at-least-32-chars';
const sale = 'faults-drop';
const stock = 50;

function tokenFor(userId: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

async function buy(api: ApiServer, userId: string, idempotencyKey?: string): Promise<Answer> {
  return call(`http://127.0.0.1:${api.port}/api/sales/${sale}/purchases`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${await tokenFor(userId)}`,
      'Content-Type': 'application/json',
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    },
    body: JSON.stringify({ quantity: 1 }),
  });
}

async function metricsOf(api: ApiServer): Promise<string> {
  const answer = await call(`http://127.0.0.1:${api.port}/metrics`);
  expect(answer.status).toBe(200);
  return String(answer.body);
}

function attempts(exposition: string, result: string): number {
  const line = exposition
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith('flashsale_purchase_attempts_total{') &&
        candidate.includes(`sale="${sale}"`) &&
        candidate.includes(`result="${result}"`),
    );
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

function expectUnavailable(answer: Answer, context: string): void {
  expect(answer.status)
    .withContext(`${context}: ${JSON.stringify(answer.body)}`)
    .toBe(503);
  expect(answer.retryAfter).withContext(context).toBe('1');
  expect(answer.body)
    .withContext(context)
    .toEqual({ error: { code: 'unavailable', message: jasmine.any(String) } });
}

function configureSale(redis: Redis): Promise<unknown> {
  return new SaleStore(redis).configure({
    name: sale,
    sku: 'FLT-1',
    title: 'Faults drop',
    priceCents: 100,
    stock,
    perUserLimit: 5,
    startsAt: new Date(Date.now() - 60_000),
    endsAt: new Date(Date.now() + 3_600_000),
  });
}

/** The API of cmd/api, in this process, on a free port, against `redisUrl`. */
function startApi(
  redisUrl: string,
  prefix: string,
  env: Record<string, string> = {},
  logger: Logger = createLogger('api-faults', 'silent'),
): Promise<ApiServer> {
  const config = apiConfigSchema.parse({
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    AUTH_JWT_SECRET: secret,
    HOST: '127.0.0.1',
    SHUTDOWN_READINESS_DELAY_MS: '0',
    PURCHASE_RATE_LIMIT: '0',
    ...env,
  });
  return startApiServer({ ...config, PORT: 0 }, logger);
}

/** A logger whose JSON lines a spec can read. */
function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines: () => lines };
}

describe('api: Redis reply errors answer 503 with Retry-After, matched by error class', () => {
  const { redisPrefix } = isolatedNames('api-faults');
  const servers: RedisServer[] = [];
  const apis: ApiServer[] = [];
  let primary: RedisServer;
  let admin: Redis;
  let onPrimary: ApiServer;

  const server = async (options: Parameters<typeof startRedisServer>[0]): Promise<RedisServer> => {
    const started = await startRedisServer(options);
    servers.push(started);
    return started;
  };
  const api = async (url: string): Promise<ApiServer> => {
    const started = await startApi(url, redisPrefix);
    apis.push(started);
    return started;
  };

  beforeAll(async () => {
    primary = await server({ name: 'faults-primary' });
    admin = new Redis(primary.url, { keyPrefix: redisPrefix });
    await configureSale(admin);
    onPrimary = await api(primary.url);
  }, 60_000);

  afterAll(async () => {
    for (const started of apis) await started.shutdown();
    admin.disconnect();
    for (const started of servers) await started.stop();
  }, 60_000);

  it('OOM: a primary at its maxmemory refuses the purchase, which leaves no trace', async () => {
    expect((await buy(onPrimary, 'oom-1')).status).toBe(201);
    const unavailableBefore = attempts(await metricsOf(onPrimary), 'unavailable');
    await admin.config('SET', 'maxmemory', '1');
    try {
      expectUnavailable(await buy(onPrimary, 'oom-2'), 'OOM');
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    expect(await admin.hget(saleKeys(sale).buyers, 'oom-2')).toBeNull();
    expect((await buy(onPrimary, 'oom-2')).status).toBe(201);
    // Counted apart from real faults (result="error").
    expect(attempts(await metricsOf(onPrimary), 'unavailable')).toBe(unavailableBefore + 1);
  });

  it('NOREPLICAS: min-replicas-to-write unmet refuses the purchase', async () => {
    // More replicas than this primary will ever have (another spec may attach one).
    await admin.config('SET', 'min-replicas-to-write', '10');
    try {
      expectUnavailable(await buy(onPrimary, 'norepl-1'), 'NOREPLICAS');
    } finally {
      await admin.config('SET', 'min-replicas-to-write', '0');
    }
    expect(await admin.hget(saleKeys(sale).buyers, 'norepl-1')).toBeNull();
  });

  it('BUSY: a long-running script makes the purchase answer 503, and it goes through after SCRIPT KILL', async () => {
    const before = Number(await admin.get(saleKeys(sale).remaining));
    await admin.config('SET', 'busy-reply-threshold', '50');
    const runner = new Redis(primary.url);
    const killer = new Redis(primary.url);
    try {
      // Both connected (and through ioredis's INFO ready check) before Redis is busy: a
      // connection made while the script runs cannot get ready, and SCRIPT KILL would wait.
      await Promise.all([runner.ping(), killer.ping()]);
      const endless = runner.eval('while true do end', 0).catch((error: unknown) => error);
      await eventually('the script to make Redis busy', () =>
        killer.ping().then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
      expectUnavailable(await buy(onPrimary, 'busy-1'), 'BUSY');
      await killer.script('KILL');
      expect(String(await endless)).toContain('killed');
    } finally {
      await admin.config('SET', 'busy-reply-threshold', '5000');
      runner.disconnect();
      killer.disconnect();
    }
    expect(Number(await admin.get(saleKeys(sale).remaining))).toBe(before);
    expect((await buy(onPrimary, 'busy-1')).status).toBe(201);
  });

  it('READONLY: an API pointed at a replica serves reads and answers purchases 503', async () => {
    const replica = await server({ name: 'faults-replica', replicaOf: primary.url });
    const onReplica = await api(replica.url);
    const read = await call(`http://127.0.0.1:${onReplica.port}/api/sales/${sale}`);
    expect(read.status).toBe(200);
    expectUnavailable(await buy(onReplica, 'ro-1'), 'READONLY');
    expect(await admin.hget(saleKeys(sale).buyers, 'ro-1')).toBeNull();
    expect(attempts(await metricsOf(onReplica), 'unavailable')).toBe(1);
    expect(attempts(await metricsOf(onReplica), 'error')).toBe(0);
  });

  it('MASTERDOWN: a replica cut off from its primary (serve-stale-data no) answers 503', async () => {
    const orphan = await server({
      name: 'faults-masterdown',
      replicaOf: 'redis://127.0.0.1:1',
      args: ['--replica-serve-stale-data', 'no'],
      waitForSync: false,
    });
    const onOrphan = await api(orphan.url);
    expectUnavailable(await buy(onOrphan, 'md-1'), 'MASTERDOWN purchase');
    expectUnavailable(
      await call(`http://127.0.0.1:${onOrphan.port}/api/sales/${sale}`),
      'MASTERDOWN read',
    );
  });

  it('CLUSTERDOWN: a cluster node that serves no slot answers 503', async () => {
    const node = await server({ name: 'faults-cluster', args: ['--cluster-enabled', 'yes'] });
    const onNode = await api(node.url);
    expectUnavailable(await buy(onNode, 'cd-1'), 'CLUSTERDOWN');
  });
});

describe('api and relay: Redis persistence settings, read at start', () => {
  const { redisPrefix } = isolatedNames('api-persistence');
  const servers: RedisServer[] = [];

  afterAll(async () => {
    for (const started of servers) await started.stop();
  });

  it(
    "exposes the stack Redis's settings (appendfsync always, noeviction) in a metric and the startup log",
    async () => {
      const { REDIS_URL } = await useStack();
      const { logger, lines } = capturingLogger();
      const api = await startApi(REDIS_URL, redisPrefix, {}, logger);
      try {
        expect(await metricsOf(api)).toContain(
          'flashsale_redis_persistence_info{appendonly="yes",appendfsync="always",maxmemory_policy="noeviction",process="api"} 1',
        );
        expect(lines()).toContain(
          jasmine.objectContaining({
            msg: 'redis persistence',
            appendonly: 'yes',
            appendfsync: 'always',
            maxmemoryPolicy: 'noeviction',
            canLose: jasmine.stringContaining('nothing'),
          }),
        );
      } finally {
        await api.shutdown();
      }
    },
    stackStartTimeoutMs,
  );

  it('refuses to start the API or the relay on a Redis that may evict keys, naming the setting', async () => {
    const evicting = await startRedisServer({
      name: 'persistence-lru',
      args: ['--maxmemory-policy', 'allkeys-lru'],
    });
    servers.push(evicting);
    const refusal =
      /maxmemory-policy "allkeys-lru".*needs "noeviction".*idempotency keys and the purchase outbox/;
    await expectAsync(startApi(evicting.url, redisPrefix)).toBeRejectedWithError(refusal);
    const relay = relayConfigSchema.parse({
      REDIS_URL: evicting.url,
      REDIS_KEY_PREFIX: redisPrefix,
      // The check comes before Kafka: nothing listens here.
      KAFKA_BROKERS: '127.0.0.1:1',
      METRICS_PORT: '1',
      METRICS_HOST: '127.0.0.1',
    });
    await expectAsync(
      startRelayProcess(relay, createLogger('relay-faults', 'silent')),
    ).toBeRejectedWithError(refusal);
  });

  it('starts on a Redis whose CONFIG command is renamed, saying so in the log and the metric', async () => {
    const locked = await startRedisServer({
      name: 'persistence-no-config',
      args: ['--rename-command', 'CONFIG', ''],
    });
    servers.push(locked);
    const { logger, lines } = capturingLogger();
    const api = await startApi(locked.url, redisPrefix, {}, logger);
    try {
      expect(await metricsOf(api)).toContain(
        'flashsale_redis_persistence_info{appendonly="unknown",appendfsync="unknown",maxmemory_policy="unknown",process="api"} 1',
      );
      expect(lines()).toContain(
        jasmine.objectContaining({
          level: 40,
          msg: jasmine.stringMatching(/CONFIG GET was refused.*durability .* is unknown/),
          reason: jasmine.stringContaining("unknown command 'config'"),
        }),
      );
    } finally {
      await api.shutdown();
    }
  });
});

describe('api: REDIS_MIN_REPLICAS_ACK waits for a real replica of the stack Redis', () => {
  const { redisPrefix } = isolatedNames('api-replica-ack');
  let admin: Redis;
  let replica: RedisServer | undefined;
  let api: ApiServer;
  let stackRedisUrl = '';

  const replicaOfStack = (): Promise<RedisServer> =>
    startRedisServer({ name: 'ack-replica', replicaOf: stackRedisUrl });

  beforeAll(async () => {
    stackRedisUrl = (await useStack()).REDIS_URL;
    admin = new Redis(stackRedisUrl, { keyPrefix: redisPrefix });
    await configureSale(admin);
    replica = await replicaOfStack();
    api = await startApi(stackRedisUrl, redisPrefix, {
      REDIS_MIN_REPLICAS_ACK: '1',
      REDIS_REPLICA_ACK_TIMEOUT_MS: '300',
    });
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await api.shutdown();
    await replica?.stop();
    const keys = await admin.keys(`${redisPrefix}*`);
    if (keys.length > 0) await admin.del(...keys.map((key) => key.slice(redisPrefix.length)));
    admin.disconnect();
  }, 60_000);

  it('answers 201 once the replica holds the purchase; without the replica, 503 outcome_unknown that a replay with the same key resolves', async () => {
    const confirmed = await buy(api, 'ack-1', 'ack-1-key');
    expect(confirmed.status).withContext(JSON.stringify(confirmed.body)).toBe(201);
    const onReplica = new Redis(replica?.url ?? '', { keyPrefix: redisPrefix });
    expect(await onReplica.hget(saleKeys(sale).buyers, 'ack-1')).toBe('1');
    onReplica.disconnect();

    await replica?.stop();
    replica = undefined;
    const unknown = await buy(api, 'ack-2', 'ack-2-key');
    expect(unknown.status).withContext(JSON.stringify(unknown.body)).toBe(503);
    expect(unknown.retryAfter).toBe('1');
    expect(unknown.body).toEqual({
      error: {
        code: 'outcome_unknown',
        message: jasmine.stringMatching(/same Idempotency-Key.*purchases\/me/),
      },
    });
    expect(attempts(await metricsOf(api), 'outcome_unknown')).toBe(1);
    // It did happen on the primary: the buyer finds it in their purchases ...
    expect(await admin.hget(saleKeys(sale).buyers, 'ack-2')).toBe('1');
    const mine = await call(`http://127.0.0.1:${api.port}/api/sales/${sale}/purchases/me`, {
      headers: { Authorization: `Bearer ${await tokenFor('ack-2')}` },
    });
    expect(mine.body).toEqual([jasmine.objectContaining({ userId: 'ack-2', quantity: 1 })]);

    // ... and, once a replica holds it, the replay with the same key confirms that purchase.
    replica = await replicaOfStack();
    const replay = await buy(api, 'ack-2', 'ack-2-key');
    expect(replay.status).withContext(JSON.stringify(replay.body)).toBe(200);
    expect((replay.body as { purchaseId: string }).purchaseId).toBe(
      (mine.body as { purchaseId: string }[])[0]?.purchaseId ?? 'missing',
    );
    expect(await admin.hget(saleKeys(sale).buyers, 'ack-2')).toBe('1');
    expect(Number(await admin.get(saleKeys(sale).remaining))).toBe(stock - 2);
  });
});
