import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const lifecycle = fileURLToPath(new URL('./lifecycle.ts', import.meta.url));
const env = fileURLToPath(new URL('../config/env.ts', import.meta.url));
const logger = fileURLToPath(new URL('../observability/logger.ts', import.meta.url));

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `body` as an ES module with `runUntilSignalled`, `runToCompletion`, `ConfigError` and a
 * JSON `logger` in scope, in its own Node process (the lifecycle exits the process). Once the
 * child prints `started`, `signal` is sent to it.
 */
function runScript(body: string, signal?: NodeJS.Signals): Promise<Exit> {
  const script = `
    const { runUntilSignalled, runToCompletion } = await import(${JSON.stringify(lifecycle)});
    const { ConfigError } = await import(${JSON.stringify(env)});
    const { createLogger } = await import(${JSON.stringify(logger)});
    const logger = createLogger('lifecycle-test', 'info');
    ${body}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (!signal || signalled || !stdout.includes('"msg":"started"')) return;
    signalled = true;
    child.kill(signal);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * The messages a child logged. Their order is not asserted: at process.exit pino may write
 * lines it still buffered before the one it was writing, so the file order can differ.
 */
const messages = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);

describe('process lifecycle', () => {
  it('shuts down and exits with the code a running process asks for when it stops itself', async () => {
    const exit = await runScript(`
      await runUntilSignalled(logger, async (stop) => {
        setTimeout(() => stop('consumer crashed', 3), 50);
        return { shutdown: async () => logger.info('shut down') };
      }, 5000);`);
    expect(exit.code).toBe(3);
    expect(messages(exit.stdout)).toEqual(
      jasmine.arrayWithExactContents(['shutting down', 'shut down', 'stopped']),
    );
  });

  it('shuts down and exits 0 on SIGTERM, even if the process then asks to stop with another code', async () => {
    const exit = await runScript(
      `
      let stopNow;
      await runUntilSignalled(logger, async (stop) => {
        stopNow = stop;
        return {
          shutdown: async () => {
            stopNow('consumer crashed', 7);
            logger.info('shut down');
          },
        };
      }, 5000);
      logger.info('started');
      setInterval(() => undefined, 1000);`,
      'SIGTERM',
    );
    expect(exit.code).toBe(0);
    expect(messages(exit.stdout)).toEqual(
      jasmine.arrayWithExactContents(['started', 'shutting down', 'shut down', 'stopped']),
    );
  });

  it('exits 2 naming the variable on a configuration error, 1 on any other start-up failure', async () => {
    const config = await runScript(`
      await runUntilSignalled(logger, async () => {
        throw new ConfigError(['DATABASE_URL is not set']);
      }, 5000);`);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('DATABASE_URL is not set');
    const other = await runScript(`
      await runUntilSignalled(logger, async () => { throw new Error('no database'); }, 5000);`);
    expect(other.code).toBe(1);
    expect(messages(other.stdout)).toEqual(['start-up failed']);
  });

  it('runs a one-shot command to its end: 0 when done, 2 or 1 when it failed', async () => {
    const done = await runScript(`
      await runToCompletion(logger, async () => logger.info('migrated'));
      logger.info('never reached');`);
    expect(done.code).toBe(0);
    expect(messages(done.stdout)).toEqual(['migrated']);
    const config = await runScript(`
      await runToCompletion(logger, async () => { throw new ConfigError(['LOG_LEVEL is bad']); });`);
    expect([config.code, config.stderr.includes('LOG_LEVEL is bad')]).toEqual([2, true]);
    const failed = await runScript(`
      await runToCompletion(logger, async () => { throw new Error('database down'); });`);
    expect(failed.code).toBe(1);
  });
});
