/**
 * The bench's baselines in a process of their own, so they are pinned and measured exactly
 * as the API is:  node --import tsx tools/src/bench/bench-server-main.ts hello|db-first
 * PORT picks the port; db-first also needs BENCH_ADMIN_URL, BENCH_JWT_SECRET and BENCH_SALE.
 * Both answer GET /readyz once listening; SIGTERM stops them (db-first drops its database).
 */
import { startDbFirstServer } from './db-first-server.ts';
import { startHelloServer } from './hello-server.ts';
import type { BenchServer } from './http-listener.ts';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (the bench sets it for its baselines)`);
  return value;
}

async function start(kind: string | undefined, port: number): Promise<BenchServer> {
  if (kind === 'hello') return startHelloServer(port);
  if (kind === 'db-first') {
    return startDbFirstServer({
      adminUrl: need('BENCH_ADMIN_URL'),
      jwtSecret: need('BENCH_JWT_SECRET'),
      poolSize: 24,
      sale: need('BENCH_SALE'),
      stock: 1_000_000_000,
      perUserLimit: 1_000_000_000,
      port,
    });
  }
  throw new Error(`usage: bench-server-main.ts hello|db-first (got "${kind ?? ''}")`);
}

const server = await start(process.argv[2], Number(need('PORT')));
process.once('SIGTERM', () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
