import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Sequelize } from 'sequelize';
import type { Purchase } from '@flashsale/contract';
import { projectRoot } from '@flashsale/stack';
import {
  migrate,
  findSaleIdentity,
  insertPurchases,
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
 * `flashsale sale ...` as a person and a script run them, on the real Redis and PostgreSQL:
 * the same ownership and drained deletion as the operator, without Kubernetes, each result as
 * text or as exactly the JSON docs/cli.md documents, and exit codes 0, 1 and 2.
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

  let decider: PurchaseDecider;

  /** One confirmed purchase, decided in Redis as the API decides it. */
  async function buy(sale: string, userId: string): Promise<Purchase> {
    const decision = await decider.decide({ sale, userId, quantity: 1 });
    if (decision.outcome !== 'confirmed') throw new Error(`${userId}: ${decision.outcome}`);
    return decision.purchase;
  }

  /** What the relay does once Kafka has the sale's outbox: acknowledge and delete each entry. */
  async function drainOutbox(sale: string): Promise<number> {
    const outbox = saleKeys(sale).outbox;
    const ids = (await redis.xrange(outbox, '-', '+')).map(([id]) => id);
    return ids.length === 0 ? 0 : redis.xdel(outbox, ...ids);
  }

  const saleKeysNow = (sale: string): Promise<string[]> =>
    keysMatching(redis, `${names.redisPrefix}flashsale:{${sale}}:*`);

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
    decider = new PurchaseDecider(redis, {
      rateLimit: 0,
      rateWindowMs: 1000,
      idempotencyTtlMs: 60_000,
    });
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

    expect(refused.stdout).toBe('');

    const applied = await cli('apply', '-f', await manifest('cli-owned', 5), '--json');
    expect(applied.code).withContext(applied.stderr).toBe(0);
    const identity = await findSaleIdentity(database, 'cli-owned');
    expect(identity?.owner).toBe('cli');
    expect(JSON.parse(applied.stdout)).toEqual({
      sale: 'cli-owned',
      status: 'ok',
      sold: 0,
      remaining: 5,
      generation: 0,
      owner: 'cli',
      incarnation: identity?.incarnation,
    });

    const reapplied = await cli('apply', '-f', await manifest('cli-owned', 7));
    expect(reapplied.code).withContext(reapplied.stderr).toBe(0);
    expect(reapplied.stdout).toBe(
      'cli-owned: applied (generation 0, owner cli); sold 0, remaining 7\n',
    );
    expect(await redis.get(saleKeys('cli-owned').remaining)).toBe('7');
  });

  it('delete stops the sale at once and removes it only once its outbox is relayed', async () => {
    expect((await cli('apply', '-f', await manifest('cli-doomed', 5))).code).toBe(0);
    await buy('cli-doomed', 'ann');

    // No relay runs here: the purchase stays in the outbox, so the deletion cannot finish.
    const waiting = await cli('delete', 'cli-doomed', '--wait', '1');
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toContain('is stopped but 1 purchases still wait in its outbox');
    expect(waiting.stdout).toBe('');
    expect((await decider.decide({ sale: 'cli-doomed', userId: 'bob', quantity: 1 })).outcome).toBe(
      'ended',
    );
    const outbox = saleKeys('cli-doomed').outbox;
    expect(await redis.xlen(outbox)).toBe(1);

    expect(await drainOutbox('cli-doomed')).toBe(1);
    const keysBefore = (await saleKeysNow('cli-doomed')).length;
    expect(keysBefore).toBeGreaterThan(0);
    const removed = await cli('delete', 'cli-doomed', '--wait', '5', '--json');
    expect(removed.code).withContext(removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({
      sale: 'cli-doomed',
      status: 'removed',
      keys: keysBefore,
    });
    expect(await saleKeysNow('cli-doomed')).toEqual([]);
    expect(await findSaleIdentity(database, 'cli-doomed')).toBeUndefined();
  });

  it('list and status print the sales as the API shows them, as text or exact JSON', async () => {
    expect((await cli('apply', '-f', await manifest('cli-listed', 4))).code).toBe(0);
    await buy('cli-listed', 'cy');
    const sale = await store.read('cli-listed');
    const expected = {
      name: 'cli-listed',
      title: 'CLI sale',
      sku: 'SKU-1',
      priceCents: 100,
      stock: 4,
      remaining: 3,
      perUserLimit: 1,
      startsAt: sale?.startsAt,
      endsAt: sale?.endsAt,
      state: 'active',
      serverTime: jasmine.any(String),
    };

    const status = await cli('status', 'cli-listed', '--json');
    expect(status.code).withContext(status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(expected);
    const got = await cli('get', 'cli-listed', '--json');
    expect(JSON.parse(got.stdout)).toEqual(expected);
    const text = await cli('status', 'cli-listed');
    expect(text.stdout).toContain('cli-listed: CLI sale (SKU-1)\n  state:        active\n');
    expect(text.stdout).toContain('  stock:        4 (3 remaining)\n');

    const listed = await cli('list', '--json');
    expect(listed.code).withContext(listed.stderr).toBe(0);
    const sales = JSON.parse(listed.stdout) as { name: string }[];
    expect(sales.find((entry) => entry.name === 'cli-listed')).toEqual(expected);
    expect(sales.map((entry) => entry.name)).toEqual((await store.names()).sort());
    const table = (await cli('list')).stdout.split('\n');
    expect(table[0]).toMatch(/^NAME +STATE +STOCK +REMAINING +STARTS +ENDS$/);
    expect(table).toContain(
      jasmine.stringMatching(new RegExp(`^cli-listed +active +4 +3 +${sale?.startsAt} +`)),
    );

    const missing = await cli('status', 'no-such-sale', '--json');
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: jasmine.stringContaining('no sale named "no-such-sale"'),
    });
  });

  it('verify exits 0 when PostgreSQL holds every purchase and 1 when one is missing', async () => {
    expect((await cli('apply', '-f', await manifest('cli-verified', 3))).code).toBe(0);
    const purchase = await buy('cli-verified', 'dee');
    // What the persister writes once the purchase came through Kafka.
    expect(await insertPurchases(database, [{ ...purchase, eventId: purchase.purchaseId }])).toBe(
      1,
    );
    expect(await drainOutbox('cli-verified')).toBe(1);
    const consistent = await cli('verify', 'cli-verified', '--wait', '5', '--json');
    expect(consistent.code).withContext(consistent.stderr).toBe(0);
    expect(JSON.parse(consistent.stdout)).toEqual({
      stock: 3,
      sold: 1,
      remaining: 2,
      outboxPending: 0,
      persisted: 1,
      incarnation: (await findSaleIdentity(database, 'cli-verified'))?.incarnation,
      incarnationStartedAt: jasmine.any(String),
      problems: [],
      consistent: true,
    });

    // A purchase that left the outbox but never reached PostgreSQL: a lost purchase.
    expect((await cli('apply', '-f', await manifest('cli-lossy', 3))).code).toBe(0);
    await buy('cli-lossy', 'eve');
    expect(await drainOutbox('cli-lossy')).toBe(1);
    const lost = await cli('verify', 'cli-lossy', '--wait', '1', '--json');
    expect(lost.code).toBe(1);
    const verdict = JSON.parse(lost.stdout) as { consistent: boolean; problems: string[] };
    expect(verdict).toEqual(
      jasmine.objectContaining({ sold: 1, persisted: 0, outboxPending: 0, consistent: false }),
    );
    expect(verdict.problems.length).toBe(1);
    const text = await cli('verify', 'cli-lossy', '--wait', '1');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^cli-lossy: NOT consistent\n {2}stock 3 {2}sold 1 {2}remaining 2 {2}outbox pending 0 {2}persisted 0\n/,
    );
    expect(text.stdout).toContain(`  problems:\n    - ${verdict.problems[0]}\n`);
  });

  it('a bad option value is a usage error (exit 2) that prints nothing on stdout', async () => {
    const bad = await cli('verify', 'cli-verified', '--wait', 'soon', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--wait must be a whole number of at least 1 (got "soon")');
  });
});
