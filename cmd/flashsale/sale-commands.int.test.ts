import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Sequelize } from 'sequelize';
import { projectRoot } from '@flashsale/stack';
import {
  migrate,
  findSaleIdentity,
  PurchaseDecider,
  saleKeys,
  SaleStore,
} from '@flashsale/platform';
import {
  createTestDatabase,
  dropTestDatabase,
  isolatedNames,
  stackStartTimeoutMs,
  useStack,
  type StackEnv,
  deleteKeysUnderPrefix,
  keysMatching,
} from '@flashsale/testkit';
import { redisClient, type RedisClient } from '@flashsale/runtime';

const run = promisify(execFile);

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `flashsale sale apply` and `flashsale sale delete` as a person runs them, on the real Redis
 * and PostgreSQL: the same ownership and drained deletion as the operator, without Kubernetes.
 */
describe('flashsale sale commands (CLI, real Redis and PostgreSQL)', () => {
  const names = isolatedNames('sale-cli');
  let stack: StackEnv;
  let databaseUrl = '';
  let redis: RedisClient;
  let store: SaleStore;
  let database: Sequelize;
  let dir = '';

  async function cli(...args: string[]): Promise<CliResult> {
    const env = {
      ...process.env,
      REDIS_URL: stack.REDIS_URL,
      REDIS_KEY_PREFIX: names.redisPrefix,
      DATABASE_URL: databaseUrl,
    };
    const script = join(projectRoot, 'cmd', 'flashsale', 'flashsale.mjs');
    try {
      const { stdout, stderr } = await run(process.execPath, [script, 'sale', ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  async function manifest(name: string, stock: number): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    const now = Date.now();
    await writeFile(
      file,
      [
        'apiVersion: flashsale.io/v1alpha1',
        'kind: FlashSale',
        `metadata: { name: ${name} }`,
        'spec:',
        '  product: { sku: SKU-1, title: CLI sale, priceCents: 100 }',
        `  stock: ${stock}`,
        '  perUserLimit: 1',
        `  startsAt: '${new Date(now - 60_000).toISOString()}'`,
        `  endsAt: '${new Date(now + 3_600_000).toISOString()}'`,
      ].join('\n'),
    );
    return file;
  }

  beforeAll(async () => {
    stack = await useStack();
    databaseUrl = await createTestDatabase(stack.DATABASE_URL, names.database);
    redis = redisClient(stack.REDIS_URL, { keyPrefix: names.redisPrefix });
    store = new SaleStore(redis);
    database = new Sequelize(databaseUrl, { logging: false });
    await migrate(database);
    dir = await mkdtemp(join(tmpdir(), 'sale-cli-'));
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await deleteKeysUnderPrefix(redis);
    redis.disconnect();
    await database.close();
    await dropTestDatabase(stack.DATABASE_URL, names.database);
    await rm(dir, { recursive: true, force: true });
  });

  it('apply refuses a sale name a FlashSale owns, changing nothing', async () => {
    const definition = {
      name: 'owned-elsewhere',
      sku: 'SKU-9',
      title: 'Owned',
      priceCents: 100,
      stock: 3,
      perUserLimit: 1,
      startsAt: new Date(Date.now() - 60_000),
      endsAt: new Date(Date.now() + 3_600_000),
    };
    await store.claim(definition, 1, { owner: 'shop/uid-1', incarnation: 'uid-1' });
    const refused = await cli('apply', '-f', await manifest('owned-elsewhere', 50));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('belongs to shop/uid-1; nothing changed');
    expect(await redis.hget(saleKeys('owned-elsewhere').config, 'stock')).toBe('3');

    const applied = await cli('apply', '-f', await manifest('cli-owned', 5));
    expect(applied.code).withContext(applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toEqual(
      jasmine.objectContaining({ sale: 'cli-owned', status: 'ok', remaining: 5, owner: 'cli' }),
    );
    expect((await findSaleIdentity(database, 'cli-owned'))?.owner).toBe('cli');
  });

  it('delete stops the sale at once and removes it only once its outbox is relayed', async () => {
    expect((await cli('apply', '-f', await manifest('cli-doomed', 5))).code).toBe(0);
    const decider = new PurchaseDecider(redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
    expect((await decider.decide({ sale: 'cli-doomed', userId: 'ann', quantity: 1 })).outcome).toBe(
      'confirmed',
    );

    // No relay runs here: the purchase stays in the outbox, so the deletion cannot finish.
    const waiting = await cli('delete', 'cli-doomed', '--wait', '1');
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toContain('is stopped but 1 purchases still wait in its outbox');
    expect((await decider.decide({ sale: 'cli-doomed', userId: 'bob', quantity: 1 })).outcome).toBe(
      'ended',
    );
    const outbox = saleKeys('cli-doomed').outbox;
    expect(await redis.xlen(outbox)).toBe(1);

    // What the relay does once Kafka has the entry: acknowledge and delete it.
    const ids = (await redis.xrange(outbox, '-', '+')).map(([id]) => id);
    expect(ids.length).toBe(1);
    await redis.xdel(outbox, ...ids);
    const removed = await cli('delete', 'cli-doomed', '--wait', '5');
    expect(removed.code).withContext(removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual(
      jasmine.objectContaining({ sale: 'cli-doomed', status: 'removed' }),
    );
    expect(await keysMatching(redis, `${names.redisPrefix}flashsale:{cli-doomed}:*`)).toEqual([]);
    expect(await findSaleIdentity(database, 'cli-doomed')).toBeUndefined();
  });
});
