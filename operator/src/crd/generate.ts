import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '@flashsale/stack';
import { crdYaml, flashSaleCrdPath } from './crd.ts';

/** Regenerates the committed CRD: `node --import tsx operator/src/crd/generate.ts`. */
const target = join(projectRoot, flashSaleCrdPath);
await writeFile(target, crdYaml());
process.stdout.write(`wrote ${flashSaleCrdPath}\n`);
