import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatEnv, parseEnv } from './env-file.ts';

const run = promisify(execFile);

describe('stack env file', () => {
  it('writes shell exports that read back to the same values', () => {
    const vars = {
      REDIS_URL: 'redis://127.0.0.1:16379',
      KUBECONFIG: "/home/o'brien/flash sale/.flashsale/kubeconfig",
    };
    const text = formatEnv(vars);
    expect(text).toBe(
      "export REDIS_URL='redis://127.0.0.1:16379'\n" +
        'export KUBECONFIG="/home/o\'brien/flash sale/.flashsale/kubeconfig"\n',
    );
    expect(parseEnv(text)).toEqual(vars);
  });

  it('reads what a shell sources the same way', async () => {
    const vars = { A: "it's here", B: 'x y $HOME', C: 'plain' };
    const { stdout } = await run('sh', [
      '-c',
      `${formatEnv(vars)}printf '%s|%s|%s' "$A" "$B" "$C"`,
    ]);
    expect(stdout).toBe("it's here|x y $HOME|plain");
    expect(parseEnv(formatEnv(vars))).toEqual(vars);
  });

  it('refuses a value neither quoting can carry, naming the variable', () => {
    expect(() => formatEnv({ KUBECONFIG: `/o'brien/$x` })).toThrowError(/^KUBECONFIG=/);
    expect(() => formatEnv({ X: 'a\nb' })).toThrowError(/^X: /);
  });

  it('reads comments and plain dotenv lines as Node does', () => {
    expect(parseEnv('# comment\nFOO=bar\nexport lower=x\n')).toEqual({ FOO: 'bar', lower: 'x' });
  });
});
