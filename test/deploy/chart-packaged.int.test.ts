import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { projectRoot } from '@flashsale/stack';
import { chartPath, mustRun } from './deploy-tools.ts';
import { ApiServer, render, stackStartTimeoutMs, type K8sObject } from './chart-testing.ts';

interface ChartYaml {
  readonly version: string;
  readonly annotations: Record<string, string>;
}

interface Crd {
  readonly metadata: { name: string };
  readonly spec: { names: { kind: string }; versions: { name: string }[] };
}

async function chartYaml(): Promise<ChartYaml> {
  return parse(await readFile(join(projectRoot, chartPath, 'Chart.yaml'), 'utf8')) as ChartYaml;
}

/** Every image a rendered object runs: containers and init containers of pods and pod templates. */
function imagesOf(objects: readonly K8sObject[]): string[] {
  const images = objects.flatMap((object) => {
    const spec = object.spec as
      { template?: { spec: PodImages }; containers?: PodImages['containers'] } | undefined;
    const pod: PodImages | undefined =
      spec?.template?.spec ?? (spec?.containers ? (spec as PodImages) : undefined);
    return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].map((c) => c.image);
  });
  return [...new Set(images)].sort();
}

interface PodImages {
  readonly containers: { image: string }[];
  readonly initContainers?: { image: string }[];
}

/** The heredoc between `<<'YAML'` and `YAML` in the notes, unindented. */
function heredocOf(notes: string): string {
  const match = /<<'YAML'\n([\s\S]*?)\n\s*YAML\n/.exec(notes);
  if (!match?.[1]) throw new Error(`no <<'YAML' heredoc in the notes:\n${notes}`);
  const lines = match[1].split('\n');
  const indent = Math.min(...lines.map((line) => /^ */.exec(line)?.[0].length ?? 0));
  return lines.map((line) => line.slice(indent)).join('\n');
}

describe('deploy: the packaged chart (NOTES.txt, Artifact Hub annotations)', () => {
  const apiserver = new ApiServer();
  const releaseName = 'fs-pkg';
  let packageDir = '';
  let archive: string;

  beforeAll(async () => {
    await apiserver.start();
    packageDir = await mkdtemp(join(tmpdir(), 'flashsale-chart-'));
    const out = await mustRun('helm', ['package', chartPath, '--destination', packageDir]);
    archive = join(packageDir, `flash-sale-${(await chartYaml()).version}.tgz`);
    expect(out).toContain(archive);
  }, stackStartTimeoutMs);

  afterAll(async () => {
    await apiserver.helm(['uninstall', releaseName, '-n', apiserver.namespace]);
    await apiserver.deleteNamespace();
    if (packageDir) await rm(packageDir, { recursive: true, force: true });
  }, 60_000);

  it('prints NOTES whose commands work from the package, with no repository path', async () => {
    const namespace = apiserver.namespace;
    const install = await apiserver.helm(['install', releaseName, archive, '-n', namespace]);
    expect(install.exitCode).withContext(install.stderr).toBe(0);
    const notes = (await apiserver.helm(['get', 'notes', releaseName, '-n', namespace])).stdout;
    expect(notes).not.toMatch(/charts\/|manifests\/|-f [\w./-]+\.yaml/);

    // Step 2: the FlashSale of the heredoc is valid on the kube-apiserver.
    expect(await apiserver.dryRun(heredocOf(notes))).toContain(
      'flashsale.flashsale.io/first-drop serverside-applied (server dry run)',
    );
    // The `helm get` commands, as printed.
    const helmGets = notes
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('helm get '));
    expect(helmGets.length).toBe(2);
    for (const line of helmGets) {
      const result = await apiserver.helm(line.split(/\s+/).slice(1));
      expect(result.exitCode).withContext(`${line}: ${result.stderr}`).toBe(0);
    }
    // The CRD upgrade path: helm show crds of the package, applied server-side.
    const upgrade = notes.split('\n').find((line) => line.includes('helm show crds'));
    expect(upgrade?.trim()).toBe(
      'helm show crds CHART --version NEW_VERSION | kubectl apply --server-side -f -',
    );
    const crds = await mustRun('helm', ['show', 'crds', archive]);
    expect(await apiserver.dryRun(crds)).toContain(
      'customresourcedefinition.apiextensions.k8s.io/flashsales.flashsale.io serverside-applied (server dry run)',
    );
  });

  it('lists in artifacthub.io/images exactly the images the chart renders', async () => {
    const listed = parse((await chartYaml()).annotations['artifacthub.io/images'] ?? '') as {
      name: string;
      image: string;
    }[];
    const rendered = imagesOf(await render());
    expect(listed.map((entry) => entry.image).sort()).toEqual(rendered);
    expect(rendered.length).toBe(6);
  });

  it('describes its CRD, an example the kube-apiserver accepts, its license and links', async () => {
    const annotations = (await chartYaml()).annotations;
    const crd = parse(
      await readFile(join(projectRoot, chartPath, 'crds', 'flashsale.io_flashsales.yaml'), 'utf8'),
    ) as Crd;
    expect(parse(annotations['artifacthub.io/crds'] ?? '')).toEqual([
      jasmine.objectContaining({
        kind: crd.spec.names.kind,
        name: crd.metadata.name,
        version: crd.spec.versions[0]?.name,
      }),
    ]);
    const examples = parseAllDocuments(
      annotations['artifacthub.io/crdsExamples'] ?? '',
    )[0]?.toJS() as object[];
    expect(examples.length).toBe(1);
    const example = examples.map((object) => JSON.stringify(object)).join('\n');
    expect(await apiserver.dryRun(example)).toContain('serverside-applied (server dry run)');

    const packageJson = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
      license: string;
    };
    expect(annotations['artifacthub.io/license']).toBe(packageJson.license);
    expect(annotations['artifacthub.io/operator']).toBe('true');
    const links = parse(annotations['artifacthub.io/links'] ?? '') as {
      name: string;
      url: string;
    }[];
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link.url).toMatch(/^https:\/\//);
      // A link into this repository's tree points at a file that exists.
      const inRepository = /\/blob\/main\/(.+)$/.exec(link.url)?.[1];
      if (inRepository) await expectAsync(readFile(join(projectRoot, inRepository))).toBeResolved();
    }
  });
});
