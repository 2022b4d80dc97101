import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@flashsale/stack';

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

describe('flashsale CLI conventions', () => {
  it('prints its version with --version and exits 0', async () => {
    const { version } = JSON.parse(
      readFileSync(join(projectRoot, 'cmd', 'flashsale', 'package.json'), 'utf8'),
    ) as { version: string };
    const run = await flashsale('--version');
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits 2 with the usage on an unknown command or a missing argument', async () => {
    const unknown = await flashsale('stack', 'bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'bogus'");
    expect(unknown.stderr).toContain('Usage: flashsale stack');
    const missing = await flashsale('sale', 'status');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'name'");
  });

  it('exits 2 naming the option when a numeric option is not a whole number', async () => {
    const users = await flashsale('load', 'contention', '--users', 'many');
    expect(users.code).toBe(2);
    expect(users.stderr).toContain('--users must be a whole number of at least 1 (got "many")');
    const wait = await flashsale('sale', 'verify', 'demo', '--wait', '0');
    expect(wait.code).toBe(2);
    expect(wait.stderr).toContain('--wait must be a whole number of at least 1 (got "0")');
  });

  it('prints stack status as JSON with --json', async () => {
    const run = await flashsale('stack', 'status', '--json');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { name: string; port: number }[];
    expect(rows.map((row) => row.name)).toContain('redis');
    expect(rows.every((row) => Number.isInteger(row.port))).toBeTrue();
  });
});
