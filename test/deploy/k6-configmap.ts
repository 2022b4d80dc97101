import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '@flashsale/stack';

/** The k6 scripts the in-cluster load test runs, exactly as they are in tools/load. */
export const k6Scripts = ['contention.js', 'jwt.js', 'summary.js'] as const;

/** Where `npm run generate` writes the ConfigMap, relative to the repository root. */
export const k6ConfigMapPath = join('manifests', 'k6', 'configmap.yaml');

function literalBlock(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? '' : `    ${line}`))
    .join('\n');
}

/** The ConfigMap YAML holding tools/load/contention.js and the jwt.js and summary.js it imports. */
export async function renderK6ConfigMap(): Promise<string> {
  const files = await Promise.all(
    k6Scripts.map(async (name) => {
      const text = await readFile(join(projectRoot, 'tools', 'load', name), 'utf8');
      return `  ${name}: |\n${literalBlock(text)}\n`;
    }),
  );
  return [
    '# Generated from tools/load/contention.js, jwt.js and summary.js by test/deploy/k6-configmap.ts.',
    '# Do not edit; regenerate with: npm run generate',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: flashsale-k6-contention',
    '  labels:',
    '    app.kubernetes.io/name: flashsale-k6',
    '    app.kubernetes.io/part-of: flashsale',
    'data:',
    files.join(''),
  ].join('\n');
}
