import type { ThroughputPhase } from './bench-report.ts';
import { formatCompareReport, type CheckoutRun, type CompareBenchResult } from './bench-compare.ts';

const cpu = (ofOneCore: number) => ({
  cpuSeconds: ofOneCore / 20,
  ofOneCore,
  ofMachine: ofOneCore / 2,
});

function phase(
  name: ThroughputPhase['name'],
  requestsPerSecond: number,
  extra: Partial<ThroughputPhase> = {},
): ThroughputPhase {
  return {
    name,
    label: name,
    generator: 'wrk',
    requestsPerSecond,
    unexpected: 0,
    generatorCpu: cpu(50),
    generatorCores: 1,
    serverCpu: cpu(95),
    ...extra,
  };
}

const run = (soldOut: number, purchase: number): CheckoutRun => ({
  soldOut: phase('soldOut', soldOut),
  purchase: phase('purchase', purchase),
});

const result: CompareBenchResult = {
  machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 24, node: '20.0.0', loadAverage: [1, 1, 1] },
  cores: {
    servers: '0',
    generator: '1',
    generatorCores: 1,
    note: 'servers on core 0, wrk on core 1',
  },
  connections: 64,
  durationSeconds: 5,
  users: 20_000,
  helloBefore: phase('hello', 44_000),
  helloAfter: phase('hello', 40_000),
  checkouts: [
    { root: '/work/this', runs: [run(36_000, 7_000), run(34_000, 8_000)] },
    { root: '/tmp/without', runs: [run(18_000, 7_500), run(17_000, 7_500)] },
  ],
};

describe('bench: formatCompareReport (unit)', () => {
  it('gives each checkout the mean of its two rounds, its spread, and ratios to Koa and the first', () => {
    const lines = formatCompareReport(result).split('\n');
    expect(lines).toContain(
      'bare Koa: 44,000 req/s before the checkouts, 40,000 after (ratios use their mean, 42,000)',
    );
    expect(lines).toContain(
      '| /work/this | 35,000 ±3% | 0.83x | 1.00x | 50%/95%, 50%/95% | 7,500 ±7% | 0.18x | 1.00x | 50%/95%, 50%/95% |',
    );
    expect(lines).toContain(
      '| /tmp/without | 17,500 ±3% | 0.42x | 0.50x | 50%/95%, 50%/95% | 7,500 ±0% | 0.18x | 1.00x | 50%/95%, 50%/95% |',
    );
    expect(lines.some((line) => line.startsWith('! '))).toBeFalse();
  });

  it('names every phase that voids its figures: other answers, or a saturated generator', () => {
    const voided: CompareBenchResult = {
      ...result,
      helloAfter: phase('hello', 40_000, { generatorCpu: cpu(97) }),
      checkouts: [
        {
          root: '/work/this',
          runs: [
            { ...run(36_000, 7_000), purchase: phase('purchase', 7_000, { unexpected: 12 }) },
            run(34_000, 8_000),
          ],
        },
      ],
    };
    const warnings = formatCompareReport(voided)
      .split('\n')
      .filter((line) => line.startsWith('! '));
    expect(warnings).toEqual(['! hello: generator-bound', '! purchase: 12 unexpected answers']);
  });
});
