import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { projectRoot } from '@flashsale/stack';
import { mustRun } from './deploy-tools.ts';

/** Test support for the manifests: specs: the kustomize bases as kubectl builds them. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly env?: readonly { name: string; value?: string }[];
}

export function objectsOf(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/** Every folder under manifests/, each of which must be a kustomize base. */
export async function manifestFolders(): Promise<string[]> {
  const entries = await readdir(join(projectRoot, 'manifests'), { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** `kubectl kustomize manifests/<folder>`, with the stack's kubectl (its built-in kustomize). */
export async function build(folder: string): Promise<KubeObject[]> {
  return objectsOf(await mustRun('kubectl', ['kustomize', `manifests/${folder}`]));
}

export async function fileObjects(path: string): Promise<KubeObject[]> {
  return objectsOf(await readFile(join(projectRoot, path), 'utf8'));
}

export const idOf = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;

/** The containers of a workload (Deployment, Job: spec.template.spec.containers). */
export function containersOf(object: KubeObject): Container[] {
  const spec = object['spec'] as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${objects.map(idOf).join(', ')}`);
  return found;
}
