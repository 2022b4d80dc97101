import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { percent, phaseWarnings, thousands, times, type ThroughputPhase } from './bench-report.ts';
import type { CorePlan } from './cores.ts';
import { describeMachine, formatMachine, type Machine } from './machine.ts';
import {
  benchSale,
  drain,
  unlimited,
  type BenchContext,
  type BenchOptions,
} from './bench-context.ts';
import {
  helloPhase,
  warmUpPipeline,
  measurePhase,
  purchasePhase,
  soldOutPhase,
  soldOutSale,
  startApi,
  startBaseline,
  startPipeline,
  stopProcess,
  withBenchContext,
} from './bench-run.ts';

/** One checkout's API under the same two loads. */
export interface CheckoutRun {
  readonly soldOut: ThroughputPhase;
  readonly purchase: ThroughputPhase;
}

/** A checkout measured twice: once in the forward round, once in the reverse one. */
export interface CheckoutFigures {
  /** Its directory; the first is the checkout the bench runs from. */
  readonly root: string;
  readonly runs: readonly [CheckoutRun, CheckoutRun];
}

/** `flashsale bench --compare`: APIs of several checkouts, one run, one machine. */
export interface CompareBenchResult {
  readonly machine: Machine;
  readonly cores: CorePlan;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly users: number;
  /** Bare Koa before and after the checkouts: how much the machine drifted meanwhile. */
  readonly helloBefore: ThroughputPhase;
  readonly helloAfter: ThroughputPhase;
  readonly checkouts: readonly CheckoutFigures[];
}

/** The other checkouts run their own sources with their own packages, so they need them. */
export function checkoutRoots(projectRoot: string, others: readonly string[]): string[] {
  return [projectRoot, ...others.map((dir) => resolve(dir))].map((root) => {
    if (!existsSync(join(root, 'cmd/api/main.ts'))) {
      throw new Error(
        `--compare ${root}: no cmd/api/main.ts there; give a checkout of this project`,
      );
    }
    if (!existsSync(join(root, 'node_modules'))) {
      throw new Error(
        `--compare ${root}: it has no node_modules; run \`npm ci\` there (or \`cp -al ${join(projectRoot, 'node_modules')} ${root}/\` when the dependencies are the same)`,
      );
    }
    return root;
  });
}

async function measureHello(context: BenchContext): Promise<ThroughputPhase> {
  const hello = await startBaseline(context, 'hello');
  try {
    return await measurePhase(context, hello, helloPhase);
  } finally {
    await stopProcess(context, hello);
  }
}

async function measureCheckout(
  context: BenchContext,
  root: string,
  sales: { soldOut: string; purchase: string },
): Promise<CheckoutRun> {
  context.options.progress(`bench: the API of ${root} ...`);
  const api = await startApi(context, `api ${root}`, {}, { root });
  try {
    const soldOut = await measurePhase(
      context,
      api,
      soldOutPhase(sales.soldOut, 'soldOut', `sold-out answers (410), ${root}`),
    );
    const purchase = await measurePhase(
      context,
      api,
      purchasePhase(sales.purchase, 'purchase', `purchases, stock lasts, ${root}`),
    );
    await drain(context, sales.purchase);
    return { soldOut, purchase };
  } finally {
    await stopProcess(context, api);
  }
}

/**
 * Bare Koa, then each checkout's API (cmd/api/main.ts from its own sources, as `npm start`
 * runs it) under the sold-out and purchase loads, in order and then in reverse order (so a
 * machine that drifts favours no checkout), then bare Koa again. The pipeline (relay,
 * persister) and everything else come from this checkout, so only the API differs.
 */
export async function runCompareBench(
  options: BenchOptions,
  roots: readonly string[],
): Promise<CompareBenchResult> {
  const machine = await describeMachine(options.node?.version);
  return withBenchContext(options, async (context) => {
    const helloBefore = await measureHello(context);
    await startPipeline(context);
    const soldOut = await soldOutSale(context);
    const purchase = await benchSale(context, 'bench-purchase', unlimited, unlimited);
    const sales = { soldOut, purchase };
    await warmUpPipeline(context, purchase);
    const forward: CheckoutRun[] = [];
    for (const root of roots) forward.push(await measureCheckout(context, root, sales));
    const reverse: CheckoutRun[] = [];
    for (const root of [...roots].reverse()) {
      reverse.unshift(await measureCheckout(context, root, sales));
    }
    return {
      machine,
      cores: context.cores,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      users: options.users,
      helloBefore,
      helloAfter: await measureHello(context),
      checkouts: roots.map((root, index) => ({
        root,
        runs: [forward[index], reverse[index]] as [CheckoutRun, CheckoutRun],
      })),
    };
  });
}

/** Each void phase as a line naming it. */
const warnings = (phase: ThroughputPhase): string[] =>
  phaseWarnings(phase).map((note) => `${phase.label}: ${note}`);

type Load = keyof CheckoutRun;

const meanRate = (checkout: CheckoutFigures | undefined, load: Load): number =>
  checkout === undefined
    ? Number.NaN
    : (checkout.runs[0][load].requestsPerSecond + checkout.runs[1][load].requestsPerSecond) / 2;

/** Mean req/s of the two rounds, and how far each round lies from it. */
function rateCell(checkout: CheckoutFigures, load: Load): string {
  const mean = meanRate(checkout, load);
  const spread = Math.abs(checkout.runs[0][load].requestsPerSecond - mean) / mean;
  return `${thousands(mean)} ±${(100 * spread).toFixed(0)}%`;
}

const cpuCell = (checkout: CheckoutFigures, load: Load): string =>
  checkout.runs
    .map((run) => `${percent(run[load].generatorCpu)}/${percent(run[load].serverCpu)}`)
    .join(', ');

/** A Markdown table: each checkout against bare Koa and against the first checkout. */
export function formatCompareReport(result: CompareBenchResult): string {
  const koa = (result.helloBefore.requestsPerSecond + result.helloAfter.requestsPerSecond) / 2;
  const [first] = result.checkouts;
  const rows = result.checkouts.map((checkout) => {
    const cells = (load: Load) => [
      rateCell(checkout, load),
      times(meanRate(checkout, load) / koa),
      times(meanRate(checkout, load) / meanRate(first, load)),
      cpuCell(checkout, load),
    ];
    return `| ${checkout.root} | ${[...cells('soldOut'), ...cells('purchase')].join(' | ')} |`;
  });
  const voided = [
    result.helloBefore,
    result.helloAfter,
    ...result.checkouts.flatMap((checkout) =>
      checkout.runs.flatMap((run) => [run.soldOut, run.purchase]),
    ),
  ].flatMap(warnings);
  return [
    formatMachine(result.machine),
    `${result.cores.note}; wrk, ${result.connections} connections, ${result.durationSeconds} s per phase after a warm-up, ${thousands(result.users)} distinct signed buyers; each checkout twice (forward round, then reverse), after the pipeline warmed up`,
    `bare Koa: ${thousands(result.helloBefore.requestsPerSecond)} req/s before the checkouts, ${thousands(result.helloAfter.requestsPerSecond)} after (ratios use their mean, ${thousands(koa)})`,
    '',
    '| checkout | sold-out req/s | vs Koa | vs first | gen./API CPU | purchases req/s | vs Koa | vs first | gen./API CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    ...(voided.length > 0 ? ['', ...voided.map((line) => `! ${line}`)] : []),
  ].join('\n');
}
