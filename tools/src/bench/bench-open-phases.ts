import { join } from 'node:path';
import { persistedUnits, saleKeys } from '@flashsale/platform';
import type { BenchProcess } from './bench-processes.ts';
import type { OpenModelResult, SellOutResult } from './bench-report.ts';
import { benchSale, drain, unlimited, type BenchContext } from './bench-context.ts';
import { cpuShare } from './cpu-time.ts';
import { runWrk, unexpectedAnswers, type WrkRun } from './wrk-run.ts';
import { pollUntilTrue, stopwatch } from '@flashsale/runtime';

function crowdRun(
  context: BenchContext,
  api: BenchProcess,
  sale: string,
): Omit<WrkRun, 'durationSeconds'> {
  return {
    wrk: context.options.wrk,
    script: join(context.options.scriptDir, 'wrk-crowd.lua'),
    url: `${api.url}/api/sales/${sale}/purchases`,
    tokenFile: context.crowd.tokenFile,
    threads: 1,
    connections: context.options.connections,
    idempotencyKey: true,
    ...(context.cores.generator ? { cores: context.cores.generator } : {}),
    machineCores: context.machineCores,
  };
}

/**
 * Purchases at a fixed arrival rate (the open model): one connection per wrk thread, each on
 * its own schedule, latency counted from when each request was due (tools/load/wrk-crowd.lua).
 */
export async function openModelPhase(
  context: BenchContext,
  api: BenchProcess,
  rate: number,
  label = 'p99 at half the max purchase rate',
): Promise<OpenModelResult> {
  const asked = Math.max(1, Math.round(rate));
  context.options.progress(`bench: ${label} (${asked} req/s, open model) ...`);
  const sale = await benchSale(context, 'bench-open-model', unlimited, unlimited);
  // Enough connections that one slow answer does not hold up the schedule of the others.
  const connections = Math.max(8, Math.min(64, context.options.connections));
  const before = await api.cpuTicks();
  const result = await runWrk({
    ...crowdRun(context, api, sale),
    threads: connections,
    connections,
    rate: asked,
    durationSeconds: context.options.durationSeconds,
  });
  const serverSeconds = ((await api.cpuTicks()) - before) / context.ticks;
  await drain(context, sale);
  const report = result.report;
  return {
    rate: asked,
    achieved: report.requests / report.durationSeconds,
    latencyMs: report.latencyMs,
    unexpected: unexpectedAnswers(report, 201),
    generatorCpu: result.cpu,
    serverCpu: cpuShare(serverSeconds, report.durationSeconds, context.machineCores),
  };
}

/** Fractions of the closed model's purchase rate the latency sweep asks for, below half. */
export const sweepFractions = [1 / 16, 1 / 8, 1 / 4] as const;

/**
 * The same open model at lower rates: where, below half the closed model's burst, latency
 * still meets the target (the burst outruns what the pipeline sustains beside it).
 */
export async function latencySweep(
  context: BenchContext,
  api: BenchProcess,
  maxRate: number,
): Promise<OpenModelResult[]> {
  const results: OpenModelResult[] = [];
  for (const fraction of sweepFractions) {
    results.push(await openModelPhase(context, api, maxRate * fraction, 'latency sweep'));
  }
  return results;
}

/**
 * A sale of `sellOutStock` units, one per buyer, bought out by the crowd: how long it took,
 * and how long after the last unit went until PostgreSQL held every purchase.
 */
export async function sellOutPhase(
  context: BenchContext,
  api: BenchProcess,
): Promise<SellOutResult> {
  const stock = context.options.sellOutStock;
  context.options.progress(`bench: selling out a ${stock}-unit sale ...`);
  const sale = await benchSale(context, 'bench-sell-out', stock, 1);
  const remainingKey = saleKeys(sale).remaining;
  const pollMs = 10;
  const sellingOut = stopwatch();
  const load = runWrk({
    ...crowdRun(context, api, sale),
    durationSeconds: context.options.durationSeconds,
  });
  const soldOut = await pollUntilTrue(
    async () => Number(await context.redis.get(remainingKey)) === 0,
    { timeoutMs: context.options.durationSeconds * 1000, intervalMs: pollMs },
  );
  const sellOutMs = sellingOut.elapsedMs();
  const sinceSoldOut = stopwatch();
  let persisted = 0;
  const allPersisted =
    soldOut &&
    (await pollUntilTrue(
      async () => (persisted = await persistedUnits(context.sequelize, sale)) >= stock,
      { timeoutMs: 60_000, intervalMs: pollMs },
    ));
  const lastPersistedMs = allPersisted ? sinceSoldOut.elapsedMs() : undefined;
  await load;
  return { stock, sellOutMs, lastPersistedMs, persisted, pollMs };
}
