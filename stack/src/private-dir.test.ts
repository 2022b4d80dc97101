import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateDir } from './private-dir.ts';

describe('privateDir', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'private-dir-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('locks only the directory itself, leaving the parents it creates enterable by others', async () => {
    const leaf = join(root, 'state', 'data', 'postgres');
    await privateDir(leaf);
    const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
    expect(await mode(leaf)).toBe(0o700);
    // Others must be able to pass through the parents (the execute bit), whatever the umask adds.
    expect((await mode(join(root, 'state'))) & 0o001).toBe(0o001);
    expect((await mode(join(root, 'state', 'data'))) & 0o001).toBe(0o001);
  });
});
