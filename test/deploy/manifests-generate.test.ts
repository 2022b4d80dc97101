import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generatedFiles, staleFiles } from '../../scripts/generate.ts';

describe('manifests: npm run generate', () => {
  it('leaves no diff: every generated file is committed exactly as generated', async () => {
    expect(await staleFiles())
      .withContext('regenerate with: npm run generate')
      .toEqual([]);
  });

  it('writes the CRD, the RBAC, the chart template and the k6 ConfigMap from their sources', async () => {
    const paths = (await generatedFiles()).map((file) => file.path).sort();
    expect(paths).toEqual([
      'charts/flash-sale/crds/flashsale.io_flashsales.yaml',
      'charts/flash-sale/templates/_generated-rbac.tpl',
      'manifests/crds/flashsale.io_flashsales.yaml',
      'manifests/k6/configmap.yaml',
      'manifests/rbac/capacity-role.yaml',
      'manifests/rbac/cluster-role.yaml',
      'manifests/rbac/leader-election-role.yaml',
      'manifests/rbac/service-account.yaml',
    ]);
  });

  it('names exactly the file that was edited by hand, and every missing one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'flashsale-generate-'));
    try {
      const files = await generatedFiles();
      expect(await staleFiles(root)).toEqual(files.map((file) => file.path));
      for (const { path, text } of files) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), text);
      }
      expect(await staleFiles(root)).toEqual([]);
      await cp(
        join(root, 'manifests/k6/configmap.yaml'),
        join(root, 'charts/flash-sale/templates/_generated-rbac.tpl'),
      );
      expect(await staleFiles(root)).toEqual(['charts/flash-sale/templates/_generated-rbac.tpl']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
