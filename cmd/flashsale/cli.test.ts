import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, type Option } from 'commander';
import type { LoadOutcome } from '@flashsale/tools';
import type { SaleVerification } from '@flashsale/platform';
import { projectRoot } from '@flashsale/stack';
import { printResult, renderResult } from './cli-output.ts';
import { loadReport } from './load-report.ts';
import { buildProgram, exitCodeOf } from './program.ts';
import { formatSaleList, formatVerification } from './sale-text.ts';
import { doctorJsonRow, formatStackStatus, stackStatusRow } from './stack-commands.ts';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const cli = join(projectRoot, 'cmd', 'flashsale', 'flashsale.mjs');

function flashsale(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: projectRoot }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parses in this process, as `main.ts` does, for arguments that never reach an action. */
async function parseOnly(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const program = buildProgram({
    writeOut: () => undefined,
    writeErr: (text) => {
      stderr += text;
    },
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { code: 0, stderr };
  } catch (error) {
    return { code: exitCodeOf(error), stderr };
  }
}

/** Every command that runs something, by its path: `sale verify`, `doctor`, ... */
function leafCommands(command: Command, path: readonly string[] = []): Map<string, Command> {
  const found = new Map<string, Command>();
  for (const child of command.commands) {
    const childPath = [...path, child.name()];
    if (child.commands.length === 0) found.set(childPath.join(' '), child);
    for (const [name, leaf] of leafCommands(child, childPath)) found.set(name, leaf);
  }
  return found;
}

const optionsOf = (): [string, Option][] =>
  [...leafCommands(buildProgram())].flatMap(([path, command]) =>
    command.options.map((option): [string, Option] => [`${path} ${option.long ?? ''}`, option]),
  );

/** Options that take a value that is not a number; every other valued option is numeric. */
const textOptions = ['sale apply --file', 'load contention --testid', 'load sustained --testid'];
const urlOptions = ['load contention --prometheus', 'load sustained --prometheus'];
const pathOptions = ['bench --compare', 'bench --cpu-prof', 'bench --node'];

describe('flashsale CLI conventions', () => {
  it('prints its version with --version and exits 0', async () => {
    const { version } = JSON.parse(
      readFileSync(join(projectRoot, 'cmd', 'flashsale', 'package.json'), 'utf8'),
    ) as { version: string };
    const run = await flashsale('--version');
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 2 with the usage on an unknown command, option or a missing argument', async () => {
    const unknown = await parseOnly('stack', 'bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'bogus'");
    expect(unknown.stderr).toContain('Usage: flashsale stack');
    const missing = await parseOnly('sale', 'status');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'name'");
    const option = await parseOnly('doctor', '--jsno');
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--jsno'");
    const extra = await parseOnly('sale', 'verify', 'a', 'b');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("too many arguments for 'verify'");
    const noCommand = await parseOnly('sale');
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toContain('Usage: flashsale sale');
    const noFile = await parseOnly('sale', 'apply', '--json');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("required option '-f, --file <file>' not specified");
  });

  it('exits 1 naming --node when it is not a Node binary, before it needs the stack', async () => {
    const run = await flashsale('bench', '--node', '/nonexistent/node');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      '--node: /nonexistent/node is not a Node binary that answers --version',
    );
  });

  it('exits 2 naming the option when a numeric option is not a whole number', async () => {
    const users = await flashsale('load', 'contention', '--users', 'many', '--json');
    expect(users).toEqual({
      code: 2,
      stdout: '',
      stderr: jasmine.stringContaining('--users must be a whole number of at least 1 (got "many")'),
    });
    const wait = await parseOnly('sale', 'verify', 'demo', '--wait', '0');
    expect(wait.code).toBe(2);
    expect(wait.stderr).toContain('--wait must be a whole number of at least 1 (got "0")');
  });

  it('exits 1 with the reason on stderr, and nothing on stdout, when a command fails', async () => {
    const missingFile = join(projectRoot, '.flashsale', 'no-such-manifest.yaml');
    const run = await flashsale('sale', 'apply', '-f', missingFile, '--json');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: ENOENT: no such file or directory, open '.*no-such-manifest\.yaml'\n$/,
    );
  });

  it('maps commander errors to exit 2, help and version to 0, and any other error to 1', () => {
    expect(exitCodeOf(new CommanderError(1, 'commander.unknownOption', 'x'))).toBe(2);
    expect(exitCodeOf(new InvalidArgumentError('bad'))).toBe(2);
    expect(exitCodeOf(new CommanderError(1, 'commander.help', '(outputHelp)'))).toBe(2);
    expect(exitCodeOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
    expect(exitCodeOf(new CommanderError(0, 'commander.version', '0.1.0'))).toBe(0);
    expect(exitCodeOf(new Error('redis is down'))).toBe(1);
  });
});

describe('flashsale CLI: --json on every command that prints data', () => {
  /** These print nothing on stdout (only progress on stderr), so they have no --json. */
  const withoutData = ['stack install', 'platform up', 'cluster down'];

  it('is an option of every command but those that print nothing', () => {
    const commands = [...leafCommands(buildProgram())];
    const missing = commands
      .filter(([, command]) => !command.options.some((option) => option.long === '--json'))
      .map(([path]) => path);
    expect(missing).toEqual(withoutData);
    expect(commands.map(([path]) => path)).toEqual([
      'stack install',
      'stack up',
      'stack down',
      'stack status',
      'doctor',
      'sale apply',
      'sale delete',
      'sale list',
      'sale status',
      'sale verify',
      'start',
      'stop',
      'migrate',
      'platform up',
      'platform down',
      'load contention',
      'load sustained',
      'bench',
      'cluster up',
      'cluster down',
      'cluster status',
    ]);
  });

  it('prints one pretty JSON document with --json, and the text for people without', () => {
    const written: string[] = [];
    const sink = (text: string): void => {
      written.push(text);
    };
    const result = { sale: 'drop', keys: 4, owner: null };
    printResult({ json: true }, result, () => 'text', sink);
    printResult({}, result, (value) => `${value.sale}: ${value.keys} keys`, sink);
    printResult({ json: false }, result, () => 'ends with a newline\n', sink);
    expect(written).toEqual([
      '{\n  "sale": "drop",\n  "keys": 4,\n  "owner": null\n}\n',
      'drop: 4 keys\n',
      'ends with a newline\n',
    ]);
    expect(JSON.parse(renderResult({ json: true }, [1, 2], () => ''))).toEqual([1, 2]);
  });
});

describe('flashsale CLI: numeric options', () => {
  /** Values `Number` alone would take (or mangle) are refused too: only plain digits count. */
  const notWholeNumbers = [
    'many',
    '0',
    '-3',
    '1.5',
    '',
    '1e400',
    '1e3',
    '0x10',
    ' 7',
    '9007199254740993',
  ];

  it('parses every numeric option with positiveInteger, naming the option on a bad value', () => {
    const valued = optionsOf().filter(([, option]) => option.required || option.optional);
    const numeric = valued.filter(
      ([name]) => ![...textOptions, ...urlOptions, ...pathOptions].includes(name),
    );
    expect(numeric.length).toBe(16);
    for (const [name, option] of numeric) {
      const parse = (value: string): unknown => option.parseArg?.(value, undefined);
      expect(option.parseArg).withContext(name).toBeDefined();
      expect(parse('7')).withContext(name).toBe(7);
      expect(parse('0100')).withContext(name).toBe(100);
      for (const value of notWholeNumbers)
        expect(() => parse(value))
          .withContext(`${name} ${value}`)
          .toThrowMatching(
            (error) =>
              error instanceof InvalidArgumentError &&
              error.message ===
                `${option.long} must be a whole number of at least 1 (got "${value}")`,
          );
    }
  });

  it('leaves only file names, ids and paths unparsed, and checks URLs', () => {
    const valued = optionsOf().filter(([, option]) => option.required || option.optional);
    const unparsed = valued.filter(([, option]) => option.parseArg === undefined);
    expect(unparsed.map(([name]) => name).sort()).toEqual([...textOptions, ...pathOptions].sort());
    for (const name of urlOptions) {
      const option = valued.find(([found]) => found === name)?.[1];
      expect(() => option?.parseArg?.('ftp://x', undefined))
        .withContext(name)
        .toThrowError(InvalidArgumentError);
    }
  });
});

describe('flashsale CLI: text for people', () => {
  const verification: SaleVerification = {
    stock: 3,
    sold: 1,
    remaining: 2,
    outboxPending: 0,
    persisted: 0,
    incarnation: 'inc-1',
    incarnationStartedAt: '2026-12-01T10:00:00.000Z',
    problems: ['eve: 1 units in the ledger, 0 in PostgreSQL, 0 in the outbox'],
    consistent: false,
  };

  it('sale verify: the verdict first, the figures, then every problem', () => {
    expect(formatVerification('drop', verification)).toBe(
      [
        'drop: NOT consistent',
        '  stock 3  sold 1  remaining 2  outbox pending 0  persisted 0',
        '  incarnation inc-1 (since 2026-12-01T10:00:00.000Z)',
        '  problems:',
        '    - eve: 1 units in the ledger, 0 in PostgreSQL, 0 in the outbox',
      ].join('\n'),
    );
    expect(
      formatVerification('drop', { ...verification, problems: [], consistent: true }).split(
        '\n',
      )[0],
    ).toBe('drop: consistent');
  });

  it('sale list: aligned columns, or a word when there is no sale', () => {
    const sale = {
      name: 'summer-drop',
      title: 'Sneaker',
      sku: 'S-1',
      priceCents: 100,
      stock: 1000,
      remaining: 12,
      perUserLimit: 1,
      startsAt: '2026-12-01T10:00:00.000Z',
      endsAt: '2026-12-01T10:30:00.000Z',
      state: 'active' as const,
      serverTime: '2026-12-01T10:05:00.000Z',
    };
    expect(formatSaleList([sale, { ...sale, name: 'x', state: 'sold_out', remaining: 0 }])).toBe(
      [
        'NAME         STATE     STOCK  REMAINING  STARTS                    ENDS',
        'summer-drop  active    1000   12         2026-12-01T10:00:00.000Z  2026-12-01T10:30:00.000Z',
        'x            sold_out  1000   0          2026-12-01T10:00:00.000Z  2026-12-01T10:30:00.000Z',
      ].join('\n'),
    );
    expect(formatSaleList([])).toBe('no sales');
  });

  it('stack status and doctor: JSON rows with null for what is absent', () => {
    const rows = [
      stackStatusRow({ name: 'redis', pid: 41, ready: true, port: 16379 }),
      stackStatusRow({ name: 'kafka', pid: undefined, ready: false, port: 19092 }),
      stackStatusRow({ name: 'etcd', pid: 43, ready: false, port: 12379 }),
    ];
    expect(JSON.parse(JSON.stringify(rows))).toEqual([
      { name: 'redis', port: 16379, pid: 41, ready: true },
      { name: 'kafka', port: 19092, pid: null, ready: false },
      { name: 'etcd', port: 12379, pid: 43, ready: false },
    ]);
    expect(formatStackStatus(rows)).toBe(
      [
        'redis           127.0.0.1:16379   running (pid 41)',
        'kafka           127.0.0.1:19092   stopped',
        'etcd            127.0.0.1:12379   not answering (pid 43)',
      ].join('\n'),
    );
    expect(doctorJsonRow({ name: 'k6', version: undefined, state: 'tool' })).toEqual({
      name: 'k6',
      version: null,
      state: 'tool',
      pid: null,
    });
  });
});

describe('flashsale CLI: load --json', () => {
  it("reports k6's counters, latency and the pipeline's verdict without k6's text", () => {
    const counter = (count: number) => ({ count });
    const outcome: LoadOutcome = {
      sale: 'load-contention-1',
      durationMs: 12_345,
      k6: {
        exitCode: 99,
        output: 'k6 report text',
        failedThresholds: ['server_errors: count==0'],
        metrics: {
          confirmed: counter(10),
          sold_out: counter(80),
          limit_reached: counter(5),
          rate_limited: counter(3),
          server_errors: counter(2),
          http_reqs: counter(100),
          http_req_duration: { med: 1.5, 'p(95)': 4, 'p(99)': 9.25, max: 30 },
        },
      },
      verification: {
        stock: 10,
        sold: 10,
        remaining: 0,
        outboxPending: 0,
        persisted: 10,
        incarnation: 'i',
        incarnationStartedAt: '2026-12-01T10:00:00.000Z',
        problems: [],
        consistent: true,
      },
      problems: ['k6 thresholds failed: server_errors=2'],
    };
    expect(loadReport(outcome)).toEqual({
      sale: 'load-contention-1',
      result: 'fail',
      durationMs: 12_345,
      k6ExitCode: 99,
      answers: {
        confirmed: 10,
        soldOut: 80,
        limitReached: 5,
        rateLimited: 3,
        serverErrors: 2,
        unexpectedStatus: 0,
        replayMismatches: 0,
      },
      requests: 100,
      droppedIterations: 0,
      latencyMs: { p50: 1.5, p95: 4, p99: 9.25 },
      failedThresholds: ['server_errors: count==0'],
      verification: outcome.verification,
      problems: ['k6 thresholds failed: server_errors=2'],
    });
    expect(loadReport({ ...outcome, problems: [] }).result).toBe('pass');
  });
});
