import {
  formatBenchReport,
  formatFsyncReport,
  thousands,
  type BenchResult,
} from './bench-report.ts';
import { planCores, pinned } from './cores.ts';
import { cpuShare, generatorSaturated, parseProcStat } from './cpu-time.ts';
import { placeOf, summariseCpuProfile } from './cpu-profile.ts';
import { parseWrkReport, unexpectedAnswers, wrkArgs } from './wrk-run.ts';

describe('bench: parseWrkReport', () => {
  const closed =
    'Running 10s test @ http://127.0.0.1:1/x\n  1 threads and 64 connections\n' +
    'flashsale-wrk {"requests":420000,"durationUs":10000000,"errors":{"connect":0,"read":1,"write":0,"status":419990,"timeout":2},"statuses":{},"corrected":false,"latencyUs":{"p50":1500,"p90":2500,"p99":4000,"p999":9000}}\n';

  it('reads requests, duration, errors and latencies (ms) of the report line', () => {
    const report = parseWrkReport(closed);
    expect(report).toEqual({
      requests: 420000,
      durationSeconds: 10,
      socketErrors: 3,
      errorStatuses: 419990,
      statuses: {},
      corrected: false,
      latencyMs: { p50: 1.5, p90: 2.5, p99: 4, p999: 9 },
    });
  });

  it('counts unexpected answers from status classes in the closed model', () => {
    const report = parseWrkReport(closed);
    // Expecting 410: 10 answers were not > 399, and 3 socket errors.
    expect(unexpectedAnswers(report, 410)).toBe(13);
    // Expecting 201: every > 399 answer is wrong.
    expect(unexpectedAnswers(report, 201)).toBe(419993);
  });

  it('counts unexpected answers by exact status in the open model', () => {
    const open = parseWrkReport(
      'flashsale-wrk {"requests":100,"durationUs":1000000,"errors":{"connect":0,"read":0,"write":0,"status":3,"timeout":0},"statuses":{"201":97,"429":3},"corrected":true,"latencyUs":{"p50":1,"p90":2,"p99":3,"p999":4}}',
    );
    expect(open.corrected).toBeTrue();
    expect(unexpectedAnswers(open, 201)).toBe(3);
  });

  it('says what wrk printed when there is no report line', () => {
    expect(() =>
      parseWrkReport('unable to connect to 127.0.0.1:1 Connection refused'),
    ).toThrowError(/no "flashsale-wrk" report line.*Connection refused/s);
  });

  it('builds the wrk command line', () => {
    expect(
      wrkArgs({
        wrk: 'wrk',
        script: 's.lua',
        url: 'http://h/x',
        tokenFile: 't',
        threads: 1,
        connections: 64,
        durationSeconds: 10,
        idempotencyKey: true,
        machineCores: 2,
      }),
    ).toEqual(['-t1', '-c64', '-d10s', '--timeout', '10s', '-s', 's.lua', 'http://h/x']);
  });
});

describe('bench: CPU accounting', () => {
  it('reads utime, stime, cutime and cstime, whatever the command name holds', () => {
    const stat =
      '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 30 12 20 0 11 0 100 0 0';
    expect(parseProcStat(stat)).toEqual({ self: 300, children: 42 });
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('nonsense')).toThrowError(/not a \/proc\/<pid>\/stat line/);
  });

  it('expresses CPU seconds as a share of one core and of the machine', () => {
    expect(cpuShare(5, 10, 2)).toEqual({ cpuSeconds: 5, ofOneCore: 50, ofMachine: 25 });
    expect(cpuShare(1, 0, 2).ofOneCore).toBe(0);
  });

  it('calls a generator the bottleneck when it keeps its cores 90% busy', () => {
    expect(generatorSaturated(cpuShare(9.5, 10, 2), 1)).toBeTrue();
    expect(generatorSaturated(cpuShare(6, 10, 2), 1)).toBeFalse();
    expect(generatorSaturated(cpuShare(12, 10, 4), 2)).toBeFalse();
  });
});

describe('bench: planCores', () => {
  it('gives the generator the upper half and the servers the rest', () => {
    expect(planCores(2, true)).toEqual(
      jasmine.objectContaining({ servers: '0', generator: '1', generatorCores: 1 }),
    );
    expect(planCores(8, true)).toEqual(
      jasmine.objectContaining({ servers: '0-3', generator: '4-7', generatorCores: 4 }),
    );
  });

  it('pins nothing on one core or without taskset, and says so', () => {
    expect(planCores(1, true).generator).toBeUndefined();
    expect(planCores(4, false).note).toMatch(/taskset not found/);
  });

  it('prefixes taskset only when there are cores to pin to', () => {
    expect(pinned('1', 'wrk', ['-t1'])).toEqual({
      command: '/usr/bin/taskset',
      args: ['-c', '1', 'wrk', '-t1'],
    });
    expect(pinned(undefined, 'wrk', ['-t1'])).toEqual({ command: 'wrk', args: ['-t1'] });
  });
});

describe('bench: CPU profile summary', () => {
  const frame = (functionName: string, url: string, lineNumber = 0) => ({
    functionName,
    url,
    lineNumber,
  });

  it('ranks self time by function and by package, as shares of busy time', () => {
    const summary = summariseCpuProfile({
      nodes: [
        { id: 1, callFrame: frame('(idle)', ''), hitCount: 50 },
        {
          id: 2,
          callFrame: frame('verify', 'file:///r/node_modules/fast-jwt/src/verifier.js', 9),
          hitCount: 30,
        },
        {
          id: 3,
          callFrame: frame('dispatch', 'file:///r/node_modules/koa-compose/index.js'),
          hitCount: 15,
        },
        { id: 4, callFrame: frame('', 'file:///r/node_modules/koa-compose/index.js'), hitCount: 5 },
        { id: 5, callFrame: frame('(garbage collector)', ''), hitCount: 0 },
      ],
    });
    expect(summary.busySamples).toBe(50);
    expect(summary.idleShare).toBe(50);
    expect(summary.functions[0]).toEqual({ name: 'verify  fast-jwt:10', share: 60 });
    expect(summary.places.slice(0, 2)).toEqual([
      { name: 'fast-jwt', share: 60 },
      { name: 'koa-compose', share: 40 },
    ]);
  });

  it('names where code lives', () => {
    expect(placeOf('file:///x/node_modules/@koa/router/lib/layer.js')).toBe('@koa/router');
    expect(placeOf('file:///x/platform/src/api/app.ts')).toBe('platform/src/api/app.ts');
    expect(placeOf('node:internal/http')).toBe('node internals');
    expect(placeOf('')).toBe('(native / V8)');
  });
});

describe('bench: formatBenchReport', () => {
  const cpu = (ofOneCore: number) => cpuShare(ofOneCore / 10, 10, 2);
  const phase = (name: BenchResult['phases'][number]['name'], rps: number, generator = 40) => ({
    name,
    label: name,
    generator: 'wrk' as const,
    requestsPerSecond: rps,
    unexpected: 0,
    generatorCpu: cpu(generator),
    generatorCores: 1,
    serverCpu: cpu(99),
  });
  const result: BenchResult = {
    machine: {
      cpus: 2,
      cpuModel: 'Test CPU',
      memoryGiB: 4,
      node: 'v20',
      loadAverage: [1.5, 1, 0.5],
    },
    loadAverageAfter: [2, 1, 0.5],
    cores: planCores(2, true),
    connections: 64,
    durationSeconds: 10,
    users: 20_000,
    defaultSampler: 'parentbased_traceidratio 0.01',
    phases: [
      phase('hello', 40_000),
      phase('soldOut', 36_000, 95),
      phase('notStarted', 8_000),
      phase('ended', 8_000),
      phase('purchase', 10_000),
      phase('dbFirst', 1_000),
      phase('soldOutTraceAll', 4_000),
      phase('soldOutTraceOff', 8_000),
      phase('purchaseTraceAll', 2_000),
      phase('purchaseTraceOff', 4_000),
    ],
    halfRate: {
      rate: 5000,
      achieved: 4990,
      latencyMs: { p50: 1, p90: 2, p99: 4.5, p999: 9 },
      unexpected: 0,
      generatorCpu: cpu(20),
      serverCpu: cpu(60),
    },
    latencySweep: [
      {
        rate: 625,
        achieved: 625,
        latencyMs: { p50: 0.8, p90: 1.2, p99: 2.25, p999: 3 },
        unexpected: 0,
        generatorCpu: cpu(5),
        serverCpu: cpu(9),
      },
      {
        rate: 2500,
        achieved: 2000,
        latencyMs: { p50: 40, p90: 80, p99: 120, p999: 150 },
        unexpected: 0,
        generatorCpu: cpu(10),
        serverCpu: cpu(30),
      },
    ],
    sellOut: {
      stock: 10_000,
      sellOutMs: 2500,
      lastPersistedMs: 420,
      persisted: 10_000,
      pollMs: 10,
    },
  };
  const report = formatBenchReport(result);

  it('describes the machine, its load and the pinning', () => {
    expect(report).toContain('machine: 2 CPUs (nproc), Test CPU');
    expect(report).toContain('load average 1.50 1.00 0.50 at the start');
    expect(report).toContain('generator pinned to core 1, servers under test to core 0');
  });

  it('prints each row as req/s and a ratio to bare Koa with its target', () => {
    expect(report).toMatch(/soldOut\s+36,000\s+0\.90x\s+>= 0\.8x met\s+95%\s+99%/);
    expect(report).toMatch(/notStarted\s+8,000\s+0\.20x\s+>= 0\.8x NOT met/);
    expect(report).toMatch(/purchase\s+10,000\s+0\.25x\s+>= 0\.5x NOT met/);
  });

  it('flags a generator-bound row and explains the flag', () => {
    expect(report).toMatch(/soldOut .*\(! generator-bound\)/);
    expect(report).toContain('! generator-bound: the load generator kept its cores busy');
  });

  it('reports the database-first ratio, the open-model p99 and the persistence lag', () => {
    expect(report).toContain('purchase / database-first: 10.00x; target >= 20x: NOT met');
    expect(report).toMatch(
      /p99 at half the max purchase rate: 4\.50 ms at 5,000 req\/s asked.*target < 10 ms: met/,
    );
    expect(report).toContain(
      '10,000-unit sale: sold out in 2,500 ms; last purchase persisted in PostgreSQL 420 ms after sell-out',
    );
  });

  it('reports latency at the lower rates of the sweep, and which fell behind', () => {
    expect(report).toContain(
      'latency at lower rates (same open model): 625 req/s: p50 0.80, p99 2.25 ms (API 9%); 2,500 req/s: p50 40.00, p99 120.00 ms (API 30%, behind schedule)',
    );
  });

  it('says when the open model fell behind its schedule', () => {
    expect(report).not.toContain('the schedule fell behind');
    const behind = formatBenchReport({
      ...result,
      halfRate: { ...result.halfRate, achieved: 2500 },
    });
    expect(behind).toMatch(
      /p99 at half the max purchase rate: .*\(! fewer answered than asked: the schedule fell behind/,
    );
  });

  it('reports the cost of tracing against tracing off', () => {
    expect(report).toMatch(
      /sold-out\s+always_on 4,000 req\/s \(0\.50x of off\);\s+parentbased_traceidratio 0\.01 36,000 req\/s \(4\.50x of off\);\s+off 8,000 req\/s/,
    );
  });

  it('reports the cost of appendfsync always against everysec', () => {
    const fsync = formatFsyncReport({
      machine: result.machine,
      cores: result.cores,
      connections: 64,
      durationSeconds: 10,
      phases: [phase('purchaseFsyncAlways', 1_800), phase('purchaseFsyncEverysec', 2_000)],
    });
    expect(fsync).toContain(
      'appendfsync always / everysec: 0.90x (the cost of fsync before every answer; no target)',
    );
  });

  it('formats thousands', () => {
    expect(thousands(42_600.4)).toBe('42,600');
    expect(thousands(Number.NaN)).toBe('n/a');
  });
});
