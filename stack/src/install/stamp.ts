import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { cachePath } from '../paths.ts';

/**
 * A stamp records the exact recipe a cached artifact was built from. An artifact is
 * reused only when its stamp matches the current recipe and every file it names exists,
 * so a changed version or build flag rebuilds, and a half-finished build never counts.
 */
export type Recipe = Record<string, string | readonly string[]>;

const stampFile = (name: string): string => cachePath('stamps', `${name}.json`);

export async function isFresh(
  name: string,
  recipe: Recipe,
  files: readonly string[],
): Promise<boolean> {
  try {
    const stored = await readFile(stampFile(name), 'utf8');
    if (stored !== JSON.stringify(recipe)) return false;
    await Promise.all(files.map((file) => access(file)));
    return true;
  } catch {
    return false;
  }
}

export async function writeStamp(name: string, recipe: Recipe): Promise<void> {
  const file = stampFile(name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(recipe));
}
