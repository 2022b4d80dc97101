// `npm run generate`: writes every file the repository generates instead of copying, from
// its one source (docs/manifests.md). `npm run generate -- --check` writes nothing and exits
// 1 naming each file that is out of date; a spec does the same (test/deploy/manifests-generate.test.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  chartRbacTemplate,
  crdYaml,
  flashSaleCrdPaths,
  rbacManifests,
  type GeneratedFile,
} from '@flashsale/operator';
import { projectRoot } from '@flashsale/stack';
import { k6ConfigMapPath, renderK6ConfigMap } from '../test/deploy/k6-configmap.ts';

export type { GeneratedFile } from '@flashsale/operator';

/** Every generated file with the text it must have, paths relative to the repository root. */
export async function generatedFiles(): Promise<GeneratedFile[]> {
  const crd = crdYaml();
  return [
    ...flashSaleCrdPaths.map((path) => ({ path, text: crd })),
    ...rbacManifests(),
    chartRbacTemplate(),
    { path: k6ConfigMapPath, text: await renderK6ConfigMap() },
  ];
}

/** The generated files whose committed text differs (or that are missing). */
export async function staleFiles(root = projectRoot): Promise<string[]> {
  const files = await generatedFiles();
  const stale = await Promise.all(
    files.map(async ({ path, text }) => {
      const committed = await readFile(join(root, path), 'utf8').catch(() => undefined);
      return committed === text ? [] : [path];
    }),
  );
  return stale.flat();
}

async function main(check: boolean): Promise<void> {
  if (check) {
    const stale = await staleFiles();
    for (const path of stale) process.stderr.write(`out of date: ${path}\n`);
    if (stale.length > 0) process.stderr.write('regenerate with: npm run generate\n');
    process.exitCode = stale.length > 0 ? 1 : 0;
    return;
  }
  for (const { path, text } of await generatedFiles()) {
    await writeFile(join(projectRoot, path), text);
    process.stdout.write(`wrote ${path}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.includes('--check'));
}
