import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { projectRoot, statePath } from '@flashsale/stack';
import { createTestDatabase, dropTestDatabase } from './databases.ts';
import { eventually, type IsolatedNames } from './isolation.ts';
import type { StackEnv } from './stack.ts';

/** A free loopback port, chosen by the kernel. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

export type ProcessKind = 'api' | 'relay' | 'persister';

interface Child {
  readonly kind: ProcessKind;
  readonly port: number;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

const scripts: Record<ProcessKind, string> = {
  api: 'cmd/api/main.ts',
  relay: 'cmd/relay/main.ts',
  persister: 'cmd/persister/main.ts',
};

/**
 * A private copy of the platform for one spec: real API, relay and persister processes on
 * their own ports, with the spec's own Redis key prefix, Kafka topic, consumer group and
 * database, on the shared real stack. Processes can be killed and restarted mid-test.
 */
export class IsolatedPlatform {
  readonly secret = randomBytes(32).toString('hex');
  private readonly children = new Map<string, Child>();
  private databaseUrl = '';

  constructor(
    readonly names: IsolatedNames,
    readonly stack: StackEnv,
  ) {}

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      REDIS_URL: this.stack.REDIS_URL,
      REDIS_KEY_PREFIX: this.names.redisPrefix,
      KAFKA_BROKERS: this.stack.KAFKA_BROKERS,
      KAFKA_TOPIC: this.names.kafkaTopic,
      DATABASE_URL: this.databaseUrl,
      PERSISTER_GROUP_ID: `${this.names.id}-persister`,
      AUTH_JWT_SECRET: this.secret,
      AUTH_DEV_LOGIN: 'false',
      PURCHASE_RATE_LIMIT: '0',
      SHUTDOWN_READINESS_DELAY_MS: '0',
      RELAY_CLAIM_IDLE_MS: '2000',
      LOG_LEVEL: 'warn',
    };
  }

  get database(): string {
    return this.databaseUrl;
  }

  async prepare(): Promise<void> {
    this.databaseUrl = await createTestDatabase(this.stack.DATABASE_URL, this.names.database);
    const admin = new Kafka({
      brokers: this.stack.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: this.names.kafkaTopic, numPartitions: 3 }],
    });
    await admin.disconnect();
  }

  /**
   * Starts a process and waits for its /readyz (or only /healthz, for a process that is
   * meant to start degraded); `name` tells two of a kind apart.
   */
  async start(
    kind: ProcessKind,
    name: string = kind,
    extraEnv: NodeJS.ProcessEnv = {},
    waitFor: '/readyz' | '/healthz' = '/readyz',
  ): Promise<string> {
    const port = await freePort();
    const portVariable = kind === 'api' ? 'PORT' : 'METRICS_PORT';
    const logDir = statePath('logs', 'tests');
    await mkdir(logDir, { recursive: true });
    const log = createWriteStream(join(logDir, `${this.names.id}-${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, scripts[kind])], {
      cwd: projectRoot,
      env: {
        ...this.env,
        [portVariable]: String(port),
        HOST: '127.0.0.1',
        METRICS_HOST: '127.0.0.1',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    this.children.set(name, { kind, port, child, exited });
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      `${name} to answer ${waitFor} (log: ${logDir}/${this.names.id}-${name}.log)`,
      async () => {
        const response = await fetch(`${url}${waitFor}`);
        return response.ok ? true : undefined;
      },
    );
    return url;
  }

  /** Sends a signal and waits for the process to exit; returns its exit code. */
  async signal(name: string, signal: NodeJS.Signals): Promise<number | null> {
    const found = this.children.get(name);
    if (!found) throw new Error(`no process named ${name}`);
    found.child.kill(signal);
    const code = await found.exited;
    this.children.delete(name);
    return code;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.signal(name, 'SIGTERM')));
  }

  async cleanUp(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.signal(name, 'SIGKILL')));
    await dropTestDatabase(this.stack.DATABASE_URL, this.names.database).catch(() => undefined);
    const admin = new Kafka({
      brokers: this.stack.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.names.kafkaTopic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
