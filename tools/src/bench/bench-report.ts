import type { CorePlan } from './cores.ts';
import { generatorSaturated, type CpuShare } from './cpu-time.ts';
import { formatLoad, formatMachine, type Machine } from './machine.ts';

export type PhaseName =
  | 'hello'
  | 'helloK6'
  | 'soldOut'
  | 'notStarted'
  | 'ended'
  | 'purchase'
  | 'purchaseFsyncAlways'
  | 'purchaseFsyncEverysec'
  | 'dbFirst'
  | 'soldOutTraceAll'
  | 'purchaseTraceAll'
  | 'soldOutTraceOff'
  | 'purchaseTraceOff'
  | 'lua';

/** One closed-model throughput phase: as many requests as the server answers. */
export interface ThroughputPhase {
  readonly name: PhaseName;
  readonly label: string;
  readonly generator: 'wrk' | 'k6' | 'redis-benchmark';
  readonly requestsPerSecond: number;
  /** Answers other than the one the phase measures (a non-zero count voids its figures). */
  readonly unexpected: number;
  /** The generator's CPU over the measured run (undefined: not measured). */
  readonly generatorCpu?: CpuShare;
  /** How many cores the generator could use (its threads, at most its pinned cores). */
  readonly generatorCores: number;
  /** The server under test's own process (the API, or a baseline). */
  readonly serverCpu?: CpuShare;
}

/** The open model: a fixed arrival rate, latency measured from when each request was due. */
export interface OpenModelResult {
  readonly rate: number;
  readonly achieved: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p999: number;
  };
  readonly unexpected: number;
  readonly generatorCpu: CpuShare;
  readonly serverCpu: CpuShare;
}

/** A sale of `stock` units bought out by the crowd, and how soon PostgreSQL had it all. */
export interface SellOutResult {
  readonly stock: number;
  /** From the first answer of the run until Redis's stock reached 0. */
  readonly sellOutMs: number;
  /** From stock 0 until PostgreSQL held every unit (polled every `pollMs`). */
  readonly lastPersistedMs: number | undefined;
  readonly persisted: number;
  readonly pollMs: number;
}

export interface BenchResult {
  readonly machine: Machine;
  readonly loadAverageAfter: readonly number[];
  readonly cores: CorePlan;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly users: number;
  /** The sampler `npm start` gives the API (what the default rows ran with). */
  readonly defaultSampler: string;
  readonly phases: readonly ThroughputPhase[];
  readonly halfRate: OpenModelResult;
  /** The open model at lower rates (`sweepFractions` of the purchase row's). */
  readonly latencySweep: readonly OpenModelResult[];
  readonly sellOut: SellOutResult;
}

/** The targets; printed beside the figures, never asserted. */
export const benchTargets = {
  answersVsHello: 0.8,
  purchaseVsHello: 0.5,
  purchaseVsDbFirst: 20,
  halfRateP99Ms: 10,
  lastPersistedMs: 1000,
} as const;

const targetOf: Partial<Record<PhaseName, string>> = {
  soldOut: `>= ${benchTargets.answersVsHello}x`,
  notStarted: `>= ${benchTargets.answersVsHello}x`,
  ended: `>= ${benchTargets.answersVsHello}x`,
  purchase: `>= ${benchTargets.purchaseVsHello}x`,
};

export function rateOf(result: Pick<BenchResult, 'phases'>, name: PhaseName): number {
  return result.phases.find((phase) => phase.name === name)?.requestsPerSecond ?? Number.NaN;
}

export function ratio(
  result: Pick<BenchResult, 'phases'>,
  top: PhaseName,
  bottom: PhaseName,
): number {
  return rateOf(result, top) / rateOf(result, bottom);
}

/** 42,600 */
export const thousands = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';

export const times = (value: number): string =>
  Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
export const percent = (share: CpuShare | undefined): string =>
  share === undefined ? '' : `${share.ofOneCore.toFixed(0)}%`;
const pad = (text: string, width: number): string => text.padStart(width);

export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

/** What voids a phase's figures: other answers than it measures, or a saturated generator. */
export function phaseWarnings(phase: ThroughputPhase): string[] {
  const notes: string[] = [];
  if (phase.unexpected > 0) notes.push(`${phase.unexpected} unexpected answers`);
  if (phase.generatorCpu && generatorSaturated(phase.generatorCpu, phase.generatorCores)) {
    notes.push('generator-bound');
  }
  return notes;
}

function flags(phase: ThroughputPhase): string {
  const notes = phaseWarnings(phase);
  return notes.length > 0 ? `  (! ${notes.join(', ')})` : '';
}

function targetCell(result: BenchResult, phase: ThroughputPhase): string {
  const target = targetOf[phase.name];
  if (!target) return '';
  const wanted =
    phase.name === 'purchase' ? benchTargets.purchaseVsHello : benchTargets.answersVsHello;
  return `${target} ${verdict(ratio(result, phase.name, 'hello') >= wanted)}`;
}

const columns = [52, 9, 8, 16, 10, 10];

function row(cells: readonly string[]): string {
  const [label = '', ...rest] = cells;
  return (
    label.padEnd(columns[0] ?? 0) +
    rest.map((cell, index) => pad(cell, columns[index + 1] ?? 0)).join('')
  );
}

function phaseRow(result: BenchResult, phase: ThroughputPhase): string {
  return (
    row([
      phase.label,
      thousands(phase.requestsPerSecond),
      times(ratio(result, phase.name, 'hello')),
      targetCell(result, phase),
      percent(phase.generatorCpu),
      percent(phase.serverCpu),
    ]) + flags(phase)
  );
}

function tracingLines(result: BenchResult): string[] {
  const line = (path: string, all: PhaseName, byDefault: PhaseName, off: PhaseName): string => {
    const offRate = rateOf(result, off);
    const cost = (name: PhaseName): string =>
      `${thousands(rateOf(result, name))} req/s (${times(rateOf(result, name) / offRate)} of off)`;
    return `  ${path.padEnd(10)} always_on ${cost(all)};  ${result.defaultSampler} ${cost(byDefault)};  off ${thousands(offRate)} req/s`;
  };
  return [
    'tracing cost (same API, same load, sampler set by OTEL_TRACES_SAMPLER):',
    line('sold-out', 'soldOutTraceAll', 'soldOut', 'soldOutTraceOff'),
    line('purchase', 'purchaseTraceAll', 'purchase', 'purchaseTraceOff'),
  ];
}

/** The open model kept its schedule when it answered at least 95% of the rate it asked for. */
export function behindSchedule(half: OpenModelResult): boolean {
  return half.achieved < 0.95 * half.rate;
}

function halfRateLine(half: OpenModelResult): string {
  const l = half.latencyMs;
  const notes = [
    half.unexpected > 0 ? `${half.unexpected} unexpected answers` : '',
    behindSchedule(half)
      ? 'fewer answered than asked: the schedule fell behind, so the percentiles include the backlog'
      : '',
  ].filter(Boolean);
  const note = notes.length > 0 ? `  (! ${notes.join('; ')})` : '';
  return `p99 at half the max purchase rate: ${l.p99.toFixed(2)} ms at ${thousands(half.rate)} req/s asked, ${thousands(half.achieved)} answered (open model, latency from each request's scheduled time; p50 ${l.p50.toFixed(2)}, p90 ${l.p90.toFixed(2)}, p99.9 ${l.p999.toFixed(2)} ms); target < ${benchTargets.halfRateP99Ms} ms: ${verdict(l.p99 < benchTargets.halfRateP99Ms)}; generator ${percent(half.generatorCpu)}, API ${percent(half.serverCpu)} of one core${note}`;
}

function sweepLine(sweep: readonly OpenModelResult[]): string {
  const points = sweep.map((point) => {
    const late = behindSchedule(point) ? ', behind schedule' : '';
    return `${thousands(point.rate)} req/s: p50 ${point.latencyMs.p50.toFixed(2)}, p99 ${point.latencyMs.p99.toFixed(2)} ms (API ${percent(point.serverCpu)}${late})`;
  });
  return `latency at lower rates (same open model): ${points.join('; ')}`;
}

function sellOutLine(sellOut: SellOutResult): string {
  const lag = sellOut.lastPersistedMs;
  const persisted =
    lag === undefined
      ? `NOT all persisted: ${sellOut.persisted} of ${sellOut.stock} rows in PostgreSQL`
      : `last purchase persisted in PostgreSQL ${thousands(lag)} ms after sell-out (polled every ${sellOut.pollMs} ms); target < ${benchTargets.lastPersistedMs} ms: ${verdict(lag < benchTargets.lastPersistedMs)}`;
  return `${thousands(sellOut.stock)}-unit sale: sold out in ${thousands(sellOut.sellOutMs)} ms; ${persisted}`;
}

/** The cost of `appendfsync always` against `everysec` (docs/durability.md); no target. */
export function fsyncLine(result: Pick<BenchResult, 'phases'>): string {
  const value = ratio(result, 'purchaseFsyncAlways', 'purchaseFsyncEverysec');
  return `appendfsync always / everysec: ${times(value)} (the cost of fsync before every answer; no target)`;
}

/** `flashsale bench --fsync-only`: the purchase phase under each appendfsync setting. */
export interface FsyncBenchResult {
  readonly machine: Machine;
  readonly cores: CorePlan;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly phases: readonly ThroughputPhase[];
}

export function formatFsyncReport(result: FsyncBenchResult): string {
  const rows = result.phases.map(
    (phase) =>
      row([
        phase.label,
        thousands(phase.requestsPerSecond),
        '',
        '',
        percent(phase.generatorCpu),
        percent(phase.serverCpu),
      ]) + flags(phase),
  );
  return [
    formatMachine(result.machine),
    `${result.cores.note}; wrk, ${result.connections} connections, ${result.durationSeconds} s per phase after a warm-up`,
    '',
    row(['phase', 'req/s', '', '', 'gen. CPU', 'srv. CPU']),
    ...rows,
    '',
    fsyncLine(result),
  ].join('\n');
}

export function formatBenchReport(result: BenchResult): string {
  const dbFirst = ratio(result, 'purchase', 'dbFirst');
  const generatorBound = result.phases.some(
    (phase) => phase.generatorCpu && generatorSaturated(phase.generatorCpu, phase.generatorCores),
  );
  return [
    formatMachine(result.machine),
    `load average at the end ${formatLoad(result.loadAverageAfter)}; ${result.cores.note}`,
    `load: wrk, ${result.connections} connections, ${result.durationSeconds} s per phase after a warm-up, a crowd of ${thousands(result.users)} distinct signed buyers; the API runs as \`npm start\` runs it (tracing: ${result.defaultSampler})`,
    '',
    row(['phase', 'req/s', 'vs Koa', 'target', 'gen. CPU', 'srv. CPU']),
    ...result.phases.map((phase) => phaseRow(result, phase)),
    '',
    `purchase / database-first: ${times(dbFirst)}; target >= ${benchTargets.purchaseVsDbFirst}x: ${verdict(dbFirst >= benchTargets.purchaseVsDbFirst)}`,
    fsyncLine(result),
    halfRateLine(result.halfRate),
    sweepLine(result.latencySweep),
    sellOutLine(result.sellOut),
    '',
    ...tracingLines(result),
    '',
    "gen. CPU and srv. CPU are % of one core over the measured run (the generator's from its own",
    "CPU time, the server's from /proc). Closed-model latencies are not shown: with a fixed number",
    'of connections they only restate the throughput. Compare figures within one run.',
    ...(generatorBound
      ? [
          '',
          '! generator-bound: the load generator kept its cores busy, so those rows are a lower bound',
        ]
      : []),
  ].join('\n');
}
