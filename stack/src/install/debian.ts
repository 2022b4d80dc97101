import { run, runOrThrow } from '../exec.ts';
import { cachePath } from '../paths.ts';
import { StepError } from '../progress.ts';
import { debianPackages } from '../versions.ts';

/** The packages of `wanted` that dpkg does not report as installed. */
export async function missingDebianPackages(wanted: readonly string[]): Promise<string[]> {
  const result = await run('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...wanted]);
  const installed = new Set(
    result.output
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0]),
  );
  return wanted.filter((name) => !installed.has(name));
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Installs the Debian packages the stack needs; returns what it installed. */
export async function installDebianPackages(): Promise<string> {
  const wanted = Object.keys(debianPackages);
  const missing = await missingDebianPackages(wanted);
  if (missing.length === 0) return `all ${wanted.length} present`;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot()) {
    throw new StepError(
      'debian packages',
      `missing: ${missing.join(', ')}`,
      `run as root: ${command}`,
    );
  }
  const logFile = cachePath('logs', 'apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await runOrThrow('apt-get', ['update'], { env, logFile });
    await runOrThrow('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
      env,
      logFile,
    });
  } catch (cause) {
    throw new StepError(
      'debian packages',
      'apt-get failed',
      `check ${logFile}, then run: ${command}`,
      { cause },
    );
  }
  return `installed ${missing.join(', ')}`;
}
