import { formatEnv, parseEnv } from './env-file.ts';

describe('stack env file', () => {
  it('writes shell exports that read back to the same values', () => {
    const vars = {
      REDIS_URL: 'redis://127.0.0.1:16379',
      KUBECONFIG: "/home/o'brien/flash sale/.flashsale/kubeconfig",
    };
    const text = formatEnv(vars);
    expect(text).toBe(
      "export REDIS_URL='redis://127.0.0.1:16379'\n" +
        "export KUBECONFIG='/home/o'\\''brien/flash sale/.flashsale/kubeconfig'\n",
    );
    expect(parseEnv(text)).toEqual(vars);
  });

  it('ignores lines it did not write', () => {
    expect(parseEnv('# comment\nFOO=bar\nexport lower=x\n')).toEqual({});
  });
});
