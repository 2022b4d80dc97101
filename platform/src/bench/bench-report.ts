import type { PhaseFigures } from './lua-benchmark.ts';
import { formatMachine, type Machine } from './machine.ts';

export type PhaseName =
  | 'hello'
  | 'purchase'
  | 'purchaseFsyncAlways'
  | 'purchaseFsyncEverysec'
  | 'soldOut'
  | 'soldOutKeyed'
  | 'dbFirst'
  | 'lua';

export interface PhaseResult {
  readonly name: PhaseName;
  readonly label: string;
  readonly figures: PhaseFigures;
  /** Answers other than the one the phase measures (a non-zero count voids its figures). */
  readonly unexpected: number;
}

export interface HalfRateResult {
  readonly rate: number;
  readonly p99: number;
  readonly droppedIterations: number;
  readonly unexpected: number;
}

export interface BenchResult {
  readonly machine: Machine;
  readonly vus: number;
  readonly durationSeconds: number;
  readonly phases: readonly PhaseResult[];
  readonly halfRate: HalfRateResult;
}

/** `flashsale bench --fsync-only`: the purchase phase under each appendfsync setting. */
export interface FsyncBenchResult {
  readonly machine: Machine;
  readonly vus: number;
  readonly durationSeconds: number;
  readonly phases: readonly PhaseResult[];
}

/** The design's targets; printed beside the figures, never asserted (see STYLE.md). */
export const benchTargets = {
  purchaseVsHello: 0.8,
  soldOutVsHello: 0.95,
  purchaseVsDbFirst: 10,
  halfRateP99Ms: 10,
} as const;

const pad = (text: string, width: number): string => text.padStart(width);
const ms = (value: number): string => value.toFixed(2);

function phaseRow(phase: PhaseResult): string {
  const f = phase.figures;
  const flag = phase.unexpected > 0 ? `  (! ${phase.unexpected} unexpected answers)` : '';
  return `${phase.label.padEnd(52)}${pad(f.requestsPerSecond.toFixed(0), 9)}${pad(ms(f.p50), 9)}${pad(ms(f.p95), 9)}${pad(ms(f.p99), 9)}${flag}`;
}

export function ratio(
  result: Pick<BenchResult, 'phases'>,
  top: PhaseName,
  bottom: PhaseName,
): number {
  const of = (name: PhaseName): number =>
    result.phases.find((phase) => phase.name === name)?.figures.requestsPerSecond ?? Number.NaN;
  return of(top) / of(bottom);
}

function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

function ratioLine(label: string, value: number, target: number): string {
  return `${label.padEnd(34)}${pad(`${value.toFixed(2)}x`, 9)}   target >= ${target}x: ${verdict(value >= target)}`;
}

function fsyncLine(result: Pick<BenchResult, 'phases'>): string {
  const value = ratio(result, 'purchaseFsyncAlways', 'purchaseFsyncEverysec');
  return `${'appendfsync always / everysec'.padEnd(34)}${pad(`${value.toFixed(2)}x`, 9)}   (the cost of fsync before every answer; no target)`;
}

const phaseHeader = `${'phase'.padEnd(52)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p95 ms', 9)}${pad('p99 ms', 9)}`;

export function formatFsyncReport(result: FsyncBenchResult): string {
  return [
    formatMachine(result.machine),
    `load: k6 closed model, ${result.vus} VUs x ${result.durationSeconds} s per phase (after a warm-up), purchases by one API process`,
    '',
    phaseHeader,
    ...result.phases.map(phaseRow),
    '',
    fsyncLine(result),
  ].join('\n');
}

export function formatBenchReport(result: BenchResult): string {
  const t = benchTargets;
  const half = result.halfRate;
  const halfFlags = [
    half.droppedIterations > 0 ? `${half.droppedIterations} iterations dropped by k6` : '',
    half.unexpected > 0 ? `${half.unexpected} unexpected answers` : '',
  ].filter(Boolean);
  return [
    formatMachine(result.machine),
    `load: k6 closed model, ${result.vus} VUs x ${result.durationSeconds} s per HTTP phase (after a warm-up); redis-benchmark with ${result.vus} connections`,
    '',
    phaseHeader,
    ...result.phases.map(phaseRow),
    '',
    ratioLine('purchase / bare Koa', ratio(result, 'purchase', 'hello'), t.purchaseVsHello),
    ratioLine('sold-out / bare Koa', ratio(result, 'soldOut', 'hello'), t.soldOutVsHello),
    ratioLine(
      'purchase / database-first',
      ratio(result, 'purchase', 'dbFirst'),
      t.purchaseVsDbFirst,
    ),
    fsyncLine(result),
    `${'p99 at half the max rate'.padEnd(34)}${pad(`${ms(half.p99)} ms`, 9)}   at ${half.rate} req/s (open model); target < ${t.halfRateP99Ms} ms: ${verdict(half.p99 < t.halfRateP99Ms)}${halfFlags.length ? `  (! ${halfFlags.join(', ')})` : ''}`,
    '',
    'k6 runs on the same machine as the servers it measures, and so does everything else running',
    'there: compare figures within one run, not across machines or runs.',
  ].join('\n');
}
