import { spawn } from 'node:child_process';
import { changesChannelFor, purchaseDecisionLua, saleKeys, SaleStore } from '@flashsale/platform';
import type { RedisClient } from '@flashsale/runtime';
import { activeSale, uniqueSaleName } from './load-sale.ts';

/** Throughput and latency of one bench phase (latencies in milliseconds). */
export interface PhaseFigures {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface LuaBenchmarkOptions {
  /** A client with the bench's own key prefix. */
  readonly redis: RedisClient;
  readonly host: string;
  readonly port: number;
  /** Parallel connections, like the HTTP phases' virtual users. */
  readonly clients: number;
  readonly requests: number;
  readonly binary?: string;
}

/**
 * Parses `redis-benchmark --csv`: a header line, then one quoted line per test with
 * rps, avg, min, p50, p95, p99 and max latency (ms).
 */
export function parseRedisBenchmarkCsv(csv: string): PhaseFigures {
  const lines = csv.split('\n').filter((line) => line.startsWith('"'));
  const cells = (line: string | undefined): string[] =>
    (line ?? '').split(',').map((cell) => cell.replaceAll('"', ''));
  // The test's name (our command) may itself contain commas; the figures are the last 7 cells.
  const values = cells(lines[1]).slice(-7).map(Number);
  if (cells(lines[0])[1] !== 'rps' || values.length !== 7 || values.some(Number.isNaN)) {
    throw new Error(`redis-benchmark printed no CSV result; it printed:\n${csv}`);
  }
  const [rps = 0, , , p50 = 0, p95 = 0, p99 = 0] = values;
  return { requestsPerSecond: rps, p50, p95, p99 };
}

function runRedisBenchmark(binary: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) =>
      reject(
        new Error(
          `could not run ${binary}: install Debian's redis-tools (\`apt-get install redis-tools\`)`,
          { cause: error },
        ),
      ),
    );
    child.once('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) resolve(output);
      else reject(new Error(`${binary} exited with ${code}:\n${output}`));
    });
  });
}

/**
 * The decision alone: EVALSHA of purchase-decision.lua straight from redis-benchmark, no
 * HTTP, no Node. Every call takes the confirmed path (huge stock, no per-user limit, rate
 * limit off) for one of 10,000 random buyers, so each does the full write set: DECRBY,
 * HINCRBY, RPUSH, XADD, PUBLISH.
 */
export async function benchmarkPurchaseScript(options: LuaBenchmarkOptions): Promise<PhaseFigures> {
  const sales = new SaleStore(options.redis);
  const prefix = options.redis.options.keyPrefix ?? '';
  const name = uniqueSaleName('bench-lua');
  await sales.configure(
    activeSale(name, { label: 'bench-lua', stock: 1_000_000_000, perUserLimit: 1_000_000_000 }),
  );
  try {
    const sha = (await options.redis.script('LOAD', purchaseDecisionLua)) as string;
    // redis-benchmark knows nothing of the client's key prefix: add it by hand.
    const keys = saleKeys(name);
    const key = (suffix: string): string => `${prefix}${suffix}`;
    const args = [
      ...['-h', options.host, '-p', String(options.port), '-c', String(options.clients)],
      ...['-n', String(options.requests), '-r', '10000', '--csv', '--precision', '3'],
      ...['EVALSHA', sha, '7', key(keys.config), key(keys.remaining), key(keys.buyers)],
      ...[key(keys.outbox), key(keys.idempotency('none', 'none'))],
      ...[key(keys.userPurchases('u__rand_int__')), key(keys.rateLimit('none'))],
      ...['u__rand_int__', '1', 'bench-purchase-id', '0', '0', '1000', '600000', ''],
      ...[changesChannelFor(prefix), name],
    ];
    return parseRedisBenchmarkCsv(
      await runRedisBenchmark(options.binary ?? 'redis-benchmark', args),
    );
  } finally {
    await sales.remove(name);
  }
}
