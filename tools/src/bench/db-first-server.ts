import { randomBytes, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import pg from 'pg';
import {
  requireUser,
  TokenVerifier,
  type UserState,
  HttpError,
  errorBody,
  jsonBody,
} from '@flashsale/platform';
import { listenOnFreePort, type BenchServer } from './http-listener.ts';

/**
 * The baseline the design is measured against: the purchase decided by PostgreSQL, one short
 * transaction per attempt, written the way a careful engineer would write it. Same Koa, same
 * token check, same body parsing and error bodies as the real API, so the comparison
 * isolates the decision itself.
 */
export interface DbFirstOptions {
  /** A PostgreSQL URL whose user may create databases; the bench gets a database of its own. */
  readonly adminUrl: string;
  readonly jwtSecret: string;
  /** Connections in the pool: enough to keep the server busy, not so many they queue on locks. */
  readonly poolSize: number;
  readonly sale: string;
  readonly stock: number;
  readonly perUserLimit: number;
  /** The port to listen on; a free one when absent. */
  readonly port?: number;
}

const schema = `
  CREATE TABLE bench_stock (
    sale text PRIMARY KEY,
    remaining integer NOT NULL CHECK (remaining >= 0),
    per_user_limit integer NOT NULL
  );
  CREATE TABLE bench_buyers (
    sale text NOT NULL,
    user_id text NOT NULL,
    bought integer NOT NULL,
    PRIMARY KEY (sale, user_id)
  );
  CREATE TABLE bench_purchases (
    purchase_id uuid PRIMARY KEY,
    sale text NOT NULL,
    user_id text NOT NULL,
    idempotency_key text,
    quantity integer NOT NULL,
    purchased_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE UNIQUE INDEX bench_purchases_idempotency
    ON bench_purchases (sale, user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;`;

interface PurchaseRow {
  purchase_id: string;
  quantity: number;
  purchased_at: Date;
}

interface Attempt {
  readonly sale: string;
  readonly userId: string;
  readonly quantity: number;
  readonly key: string | null;
}

const uniqueViolation = '23505';

function toPurchase(attempt: Attempt, row: PurchaseRow): Record<string, unknown> {
  return {
    purchaseId: row.purchase_id,
    sale: attempt.sale,
    userId: attempt.userId,
    quantity: row.quantity,
    purchasedAt: row.purchased_at.toISOString(),
    status: 'confirmed',
  };
}

async function previousPurchase(pool: pg.Pool, attempt: Attempt): Promise<PurchaseRow | undefined> {
  if (attempt.key === null) return undefined;
  const { rows } = await pool.query<PurchaseRow>(
    `SELECT purchase_id, quantity, purchased_at FROM bench_purchases
     WHERE sale = $1 AND user_id = $2 AND idempotency_key = $3`,
    [attempt.sale, attempt.userId, attempt.key],
  );
  return rows[0];
}

/**
 * The transaction. The per-user limit (a conditional upsert) and the purchase row come first;
 * the sale's stock row — the one every buyer contends for — is locked last, by a conditional
 * UPDATE, so its lock is held for one statement and the commit instead of the whole
 * transaction. (SELECT … FOR UPDATE first would hold it across every round trip.)
 */
async function decide(client: pg.PoolClient, attempt: Attempt): Promise<PurchaseRow | HttpError> {
  const limit = await client.query(
    `INSERT INTO bench_buyers (sale, user_id, bought) VALUES ($1, $2, $3)
     ON CONFLICT (sale, user_id) DO UPDATE SET bought = bench_buyers.bought + EXCLUDED.bought
       WHERE bench_buyers.bought + EXCLUDED.bought
         <= (SELECT per_user_limit FROM bench_stock WHERE sale = $1)
     RETURNING bought`,
    [attempt.sale, attempt.userId, attempt.quantity],
  );
  if (limit.rowCount === 0) return new HttpError(409, 'limit_reached', 'limit reached');
  const inserted = await client.query<PurchaseRow>(
    `INSERT INTO bench_purchases (purchase_id, sale, user_id, idempotency_key, quantity)
     VALUES ($1, $2, $3, $4, $5) RETURNING purchase_id, quantity, purchased_at`,
    [randomUUID(), attempt.sale, attempt.userId, attempt.key, attempt.quantity],
  );
  const stock = await client.query(
    'UPDATE bench_stock SET remaining = remaining - $2 WHERE sale = $1 AND remaining >= $2',
    [attempt.sale, attempt.quantity],
  );
  if (stock.rowCount === 0) return new HttpError(410, 'sold_out', 'sold out');
  const row = inserted.rows[0];
  return row ?? new HttpError(500, 'internal', 'the purchase row was not returned');
}

async function inTransaction(pool: pg.Pool, attempt: Attempt): Promise<PurchaseRow | HttpError> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const outcome = await decide(client, attempt);
    await client.query(outcome instanceof HttpError ? 'ROLLBACK' : 'COMMIT');
    return outcome;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function readAttempt(
  ctx: Context & { state: UserState },
  sale: string,
  perUserLimit: number,
): Attempt {
  // The body the data plane's JSON body middleware parsed.
  const body = ((ctx.request as { body?: unknown }).body ?? {}) as { quantity?: unknown };
  const quantity = body.quantity ?? 1;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
    throw new HttpError(400, 'invalid_request', 'the body is {"quantity": n}');
  }
  // A first purchase inserts the buyer's row unchecked; more than the limit is refused here.
  if (quantity > perUserLimit) throw new HttpError(409, 'limit_reached', 'limit reached');
  const key = ctx.get('Idempotency-Key');
  return { sale, userId: ctx.state.userId, quantity, key: key === '' ? null : key };
}

/** Decides in one transaction; the same key sent twice at once is answered as a replay. */
async function decideOrReplay(
  pool: pg.Pool,
  attempt: Attempt,
): Promise<{ status: number; row: PurchaseRow }> {
  try {
    const outcome = await inTransaction(pool, attempt);
    if (outcome instanceof HttpError) throw outcome;
    return { status: 201, row: outcome };
  } catch (error) {
    // The unique index let one of the two through; the other finds its purchase.
    const replay =
      (error as { code?: string }).code === uniqueViolation &&
      (await previousPurchase(pool, attempt));
    if (!replay) throw error;
    return { status: 200, row: replay };
  }
}

async function purchase(
  pool: pg.Pool,
  ctx: Context & { state: UserState },
  attempt: Attempt,
): Promise<void> {
  const previous = await previousPurchase(pool, attempt);
  const { status, row } = previous
    ? { status: 200, row: previous }
    : await decideOrReplay(pool, attempt);
  ctx.status = status;
  ctx.body = toPurchase(attempt, row);
}

/** A database of the bench's own on the server of `adminUrl` (whose user may create one). */
export async function createDatabase(
  adminUrl: string,
  prefix = 'bench_dbfirst',
): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Starts the baseline in a database of its own; `close()` drops that database. */
export async function startDbFirstServer(options: DbFirstOptions): Promise<BenchServer> {
  const database = await createDatabase(options.adminUrl);
  const pool = new pg.Pool({ connectionString: database.url, max: options.poolSize });
  // An idle client whose connection ends (the database is dropped at close) makes the pool
  // emit 'error'; without a listener that would crash the bench instead of being ignored.
  pool.on('error', () => undefined);
  const cleanUp = async (): Promise<void> => {
    await pool.end();
    await dropDatabase(options.adminUrl, database.name);
  };
  try {
    await pool.query(schema);
    await pool.query(
      'INSERT INTO bench_stock (sale, remaining, per_user_limit) VALUES ($1, $2, $3)',
      [options.sale, options.stock, options.perUserLimit],
    );
  } catch (error) {
    await cleanUp();
    throw new Error('setting up the database-first baseline failed', { cause: error });
  }
  const app = new Koa();
  app.silent = true;
  app.use(errorBody());
  const router = new Router<UserState>();
  const verifier = new TokenVerifier(options.jwtSecret);
  router.post('/api/sales/:sale/purchases', requireUser(verifier), jsonBody(), async (ctx) => {
    await purchase(pool, ctx, readAttempt(ctx, ctx.params.sale ?? '', options.perUserLimit));
  });
  app.use(router.routes());
  return listenOnFreePort(app, cleanUp, options.port);
}
