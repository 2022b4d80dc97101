// The public entry of @flashsale/tools: only what other workspaces and the specs use.
// Generated from those imports when the workspaces were split; keep it to what is imported.
export { formatBenchReport, formatFsyncReport } from './bench/bench-report.ts';
export type { BenchResult, FsyncBenchResult } from './bench/bench-report.ts';
export { profiledLoads, runBench, runFsyncBench } from './bench/bench-run.ts';
export { checkoutRoots, formatCompareReport, runCompareBench } from './bench/bench-compare.ts';
export type { CompareBenchResult } from './bench/bench-compare.ts';
export type { BenchNode } from './bench/bench-context.ts';
export type { PlatformKind } from './bench/bench-run.ts';
export { formatProfileSummary, summariseCpuProfile } from './bench/cpu-profile.ts';
export type { CpuProfile, ProfileSummary } from './bench/cpu-profile.ts';
export { counterValue, latencyOf } from './bench/k6-run.ts';
export type { Latency } from './bench/k6-run.ts';
export { describeOutcome, removeLoadSale, runContention, runSustained } from './bench/load-runs.ts';
export type { LoadOutcome, LoadTarget, SustainedOptions } from './bench/load-runs.ts';
export { deleteKeysUnderPrefix } from './bench/prefixed-keys.ts';
export { runShardBench } from './bench/shard-bench.ts';
