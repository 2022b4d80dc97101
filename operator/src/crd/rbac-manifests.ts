import { join } from 'node:path';
import { operatorRbac, type PolicyRule } from '../rbac.ts';

/**
 * The operator's RBAC as files, generated from the one declaration in operator/src/rbac.ts
 * by `npm run generate`: the kustomize base manifests/rbac/ and the chart's named templates.
 * The base names objects as the chart does with the release name `flash-sale`; it has no
 * namespace of its own (its kustomization sets it), so deleting it never deletes one.
 */
export const operatorName = 'flash-sale-operator';
export const leaderElectionRoleName = `${operatorName}-leader-election`;
export const capacityRoleName = `${operatorName}-capacity`;

/** The chart's named template of the operator's rules in every namespace it watches. */
export const chartRulesTemplate = 'flash-sale.operator.rules';
export const chartLeaderElectionRulesTemplate = 'flash-sale.operator.leaderElectionRules';
export const chartCapacityRulesTemplate = 'flash-sale.operator.capacityRules';

export const chartRbacTemplatePath = join(
  'charts',
  'flash-sale',
  'templates',
  '_generated-rbac.tpl',
);

const rbacDir = join('manifests', 'rbac');
const generatedNote = [
  '# Generated from operator/src/rbac.ts by operator/src/crd/rbac-manifests.ts.',
  '# Do not edit; regenerate with: npm run generate',
];

function scalar(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9./_-]*$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
}

const flow = (values: readonly string[]) => `[${values.map(scalar).join(', ')}]`;

/** One rule as YAML list lines at `indent`, its reason as a comment above it. */
function ruleLines(rule: PolicyRule, indent: string): string[] {
  return [
    `${indent}# ${rule.why}`,
    `${indent}- apiGroups: ${flow(rule.apiGroups)}`,
    `${indent}  resources: ${flow(rule.resources)}`,
    `${indent}  verbs: ${flow(rule.verbs)}`,
  ];
}

const labels = [
  '  labels:',
  '    app.kubernetes.io/name: flash-sale',
  '    app.kubernetes.io/instance: flash-sale',
  '    app.kubernetes.io/component: operator',
  '    app.kubernetes.io/part-of: flash-sale',
];

function role(kind: 'ClusterRole' | 'Role', name: string, rules: readonly PolicyRule[]): string[] {
  return [
    'apiVersion: rbac.authorization.k8s.io/v1',
    `kind: ${kind}`,
    'metadata:',
    `  name: ${name}`,
    ...labels,
    'rules:',
    ...rules.flatMap((rule) => ruleLines(rule, '  ')),
  ];
}

function binding(kind: 'ClusterRole' | 'Role', name: string): string[] {
  return [
    'apiVersion: rbac.authorization.k8s.io/v1',
    `kind: ${kind}Binding`,
    'metadata:',
    `  name: ${name}`,
    ...labels,
    'roleRef:',
    '  apiGroup: rbac.authorization.k8s.io',
    `  kind: ${kind}`,
    `  name: ${name}`,
    'subjects:',
    '  # The namespace is the one the kustomization sets.',
    '  - kind: ServiceAccount',
    `    name: ${operatorName}`,
  ];
}

function file(comment: readonly string[], ...documents: string[][]): string {
  const body = documents.map((lines) => lines.join('\n')).join('\n---\n');
  return `${[...generatedNote, ...comment.map((line) => `# ${line}`)].join('\n')}\n${body}\n`;
}

export interface GeneratedFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly text: string;
}

/** manifests/rbac/*.yaml except kustomization.yaml (which is written by hand). */
export function rbacManifests(rbac = operatorRbac): GeneratedFile[] {
  const at = (name: string, text: string) => ({ path: join(rbacDir, name), text });
  return [
    at(
      'service-account.yaml',
      file(
        ["The operator's identity."],
        [
          'apiVersion: v1',
          'kind: ServiceAccount',
          'metadata:',
          `  name: ${operatorName}`,
          ...labels,
        ],
      ),
    ),
    at(
      'cluster-role.yaml',
      file(
        [
          'What the operator needs in every namespace it watches (all, unless WATCH_NAMESPACE',
          'is set; then a Role with these rules in that namespace is enough).',
        ],
        role('ClusterRole', operatorName, rbac.sales),
        binding('ClusterRole', operatorName),
      ),
    ),
    at(
      'leader-election-role.yaml',
      file(
        [
          "Leader election, in the operator's own namespace only: a Role, not a ClusterRole,",
          "so the operator cannot take other components' leases.",
        ],
        role('Role', leaderElectionRoleName, rbac.leaderElection),
        binding('Role', leaderElectionRoleName),
      ),
    ),
    at(
      'capacity-role.yaml',
      file(
        [
          "Capacity: the API fleet's replica floor, in the fleet's namespace only (FLEET_NAMESPACE,",
          "default the operator's own). No create/delete: whoever deploys the fleet owns it.",
        ],
        role('Role', capacityRoleName, rbac.capacity),
        binding('Role', capacityRoleName),
      ),
    ),
  ];
}

function define(name: string, rules: readonly PolicyRule[]): string[] {
  return [
    `{{- define "${name}" -}}`,
    ...rules.flatMap((rule) => ruleLines(rule, '')),
    '{{- end -}}',
  ];
}

/** The chart's named templates of the same rules (include them under `rules:` with nindent 2). */
export function chartRbacTemplate(rbac = operatorRbac): GeneratedFile {
  const text = [
    '{{/*',
    'Generated from operator/src/rbac.ts by operator/src/crd/rbac-manifests.ts.',
    'Do not edit; regenerate with: npm run generate',
    `"${chartRulesTemplate}": in every namespace the operator watches (ClusterRole, or a Role`,
    'in operator.watchNamespace). The other two: its Lease and the API fleet, release namespace.',
    `Use: rules: {{- include "${chartRulesTemplate}" . | nindent 2 }}`,
    '*/}}',
    ...define(chartRulesTemplate, rbac.sales),
    ...define(chartLeaderElectionRulesTemplate, rbac.leaderElection),
    ...define(chartCapacityRulesTemplate, rbac.capacity),
    '',
  ].join('\n');
  return { path: chartRbacTemplatePath, text };
}
