import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { isMap, isNode, isScalar, parseDocument, type Pair, type YAMLMap } from 'yaml';
import { projectRoot } from '@flashsale/stack';

/**
 * The parameters table of charts/flash-sale/README.md, generated from the `# --` comments of
 * values.yaml (the helm-docs convention: the comment right above a key describes it; more
 * comment lines continue it). Regenerate with `npm run generate:chart-readme`.
 */
export const chartDir = join(projectRoot, 'charts', 'flash-sale');
export const readmePath = join(chartDir, 'README.md');
export const startMarker = '<!-- parameters:start (npm run generate:chart-readme) -->';
export const endMarker = '<!-- parameters:end -->';

export interface Parameter {
  readonly key: string;
  readonly type: string;
  /** JSON of the default; empty for a map whose keys have rows of their own. */
  readonly defaultValue: string;
  readonly description: string;
}

/** The text after the last `--` line of a comment, lines joined; undefined without one. */
export function descriptionOf(comment: string | null | undefined): string | undefined {
  const lines = (comment ?? '').split('\n').map((line) => line.replace(/^ /, ''));
  const start = lines.map((line) => line.startsWith('-- ')).lastIndexOf(true);
  if (start < 0) return undefined;
  const [first = '', ...rest] = lines.slice(start);
  return [first.slice(3), ...rest]
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

/** A pair's comment: on its key, or, for a map's first key, on the map itself. */
function commentOf(map: YAMLMap, pair: Pair, index: number): string | undefined {
  const key = pair.key as { commentBefore?: string | null };
  return key.commentBefore ?? (index === 0 ? (map.commentBefore ?? undefined) : undefined);
}

interface Walk {
  readonly rows: Parameter[];
  readonly undocumented: string[];
}

function keyName(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function jsonOf(value: unknown): unknown {
  return isNode(value) ? (value.toJSON() as unknown) : value;
}

/** One documented key's row; a map whose keys have rows of their own shows no default. */
function addRow(walk: Walk, key: string, value: unknown, description: string): void {
  const json = jsonOf(value);
  const row = { key, type: typeOf(json), defaultValue: JSON.stringify(json), description };
  walk.rows.push(row);
  if (!isMap(value)) return;
  const before = walk.rows.length;
  walkMap(value, `${key}.`, true, walk);
  if (walk.rows.length > before) walk.rows[before - 1] = { ...row, defaultValue: '' };
}

function walkMap(map: YAMLMap, prefix: string, documented: boolean, walk: Walk): void {
  map.items.forEach((pair, index) => {
    const key = `${prefix}${keyName(pair)}`;
    const description = descriptionOf(commentOf(map, pair, index));
    if (description !== undefined) addRow(walk, key, pair.value, description);
    else if (isMap(pair.value)) walkMap(pair.value, `${key}.`, documented, walk);
    else if (!documented) walk.undocumented.push(key);
  });
}

/** Every documented key of values.yaml; throws naming the keys that have no description. */
export function parametersOf(valuesYaml: string): Parameter[] {
  const document = parseDocument(valuesYaml);
  if (!isMap(document.contents)) throw new Error('values.yaml is not a map');
  const walk: Walk = { rows: [], undocumented: [] };
  walkMap(document.contents, '', false, walk);
  if (walk.undocumented.length > 0) {
    throw new Error(
      `values.yaml keys without a "# -- description" comment (on them or a parent): ${walk.undocumented.join(', ')}`,
    );
  }
  return walk.rows;
}

const cell = (text: string): string => text.replaceAll('|', '\\|');

export function parametersTable(parameters: readonly Parameter[]): string {
  const rows = parameters.map(
    (p) =>
      `| \`${p.key}\` | ${p.type} | ${p.defaultValue ? `\`${cell(p.defaultValue)}\`` : ''} | ${cell(p.description)} |`,
  );
  return ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

/** The README with its parameters section regenerated, formatted as Prettier formats it. */
export async function renderReadme(readme: string, valuesYaml: string): Promise<string> {
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start < 0 || end < start) {
    throw new Error(`${readmePath} needs the lines ${startMarker} and ${endMarker}`);
  }
  const table = parametersTable(parametersOf(valuesYaml));
  const text = `${readme.slice(0, start + startMarker.length)}\n\n${table}\n\n${readme.slice(end)}`;
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  return prettier.format(text, { ...options, filepath: readmePath });
}

export async function currentFiles(): Promise<{ readme: string; values: string }> {
  const [readme, values] = await Promise.all([
    readFile(readmePath, 'utf8'),
    readFile(join(chartDir, 'values.yaml'), 'utf8'),
  ]);
  return { readme, values };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { readme, values } = await currentFiles();
  await writeFile(readmePath, await renderReadme(readme, values));
  console.log(`wrote the parameters table of ${readmePath}`);
}
