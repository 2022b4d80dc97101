import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Creates a directory only its owner may enter. The parents are created with ordinary
 * permissions first: `mkdir -p` with a mode would give every missing parent that mode too,
 * locking other accounts (the postgres server's) out of the whole state directory.
 */
export async function privateDir(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await mkdir(path, { recursive: true, mode: 0o700 });
}
