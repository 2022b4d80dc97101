import { counterValue, latencyOf, type Latency } from '@flashsale/tools';
import type { LoadOutcome } from '@flashsale/tools';
import type { SaleVerification } from '@flashsale/platform';

/** Answers of a load run by kind: k6's counters of tools/load/*.js. */
export interface LoadAnswers {
  readonly confirmed: number;
  readonly soldOut: number;
  readonly limitReached: number;
  readonly rateLimited: number;
  readonly serverErrors: number;
  readonly unexpectedStatus: number;
  readonly replayMismatches: number;
}

/** What `flashsale load contention|sustained --json` prints (docs/cli.md). */
export interface LoadReport {
  readonly sale: string;
  readonly result: 'pass' | 'fail';
  readonly durationMs: number;
  readonly k6ExitCode: number;
  readonly answers: LoadAnswers;
  readonly requests: number;
  readonly droppedIterations: number;
  readonly latencyMs: Latency;
  readonly failedThresholds: readonly string[];
  readonly verification: SaleVerification;
  readonly problems: readonly string[];
}

/** The figures of a load run, without k6's own report text. */
export function loadReport(outcome: LoadOutcome): LoadReport {
  const count = (metric: string): number => counterValue(outcome.k6, metric);
  return {
    sale: outcome.sale,
    result: outcome.problems.length === 0 ? 'pass' : 'fail',
    durationMs: outcome.durationMs,
    k6ExitCode: outcome.k6.exitCode,
    answers: {
      confirmed: count('confirmed'),
      soldOut: count('sold_out'),
      limitReached: count('limit_reached'),
      rateLimited: count('rate_limited'),
      serverErrors: count('server_errors'),
      unexpectedStatus: count('unexpected_status'),
      replayMismatches: count('replay_mismatch'),
    },
    requests: count('http_reqs'),
    droppedIterations: count('dropped_iterations'),
    latencyMs: latencyOf(outcome.k6),
    failedThresholds: outcome.k6.failedThresholds,
    verification: outcome.verification,
    problems: outcome.problems,
  };
}
