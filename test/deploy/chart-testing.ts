import { parseAllDocuments } from 'yaml';
import { isolatedNames, stackStartTimeoutMs, useStack } from '@flashsale/testkit';
import { chartPath, kubeVersion, mustRun, runTool, type ToolResult } from './deploy-tools.ts';

/** Test support for the chart-*.test.ts specs: `helm template` objects and the stack's apiserver. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  readonly spec?: Record<string, unknown>;
  readonly rules?: unknown[];
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly env?: { name: string; value?: string }[];
  readonly envFrom?: unknown[];
  readonly volumeMounts?: { name: string; mountPath: string }[];
  readonly resources?: Record<string, Record<string, string | number>>;
}

export interface PodSpec {
  readonly containers: Container[];
  readonly volumes?: { name: string }[];
  readonly serviceAccountName?: string;
  readonly priorityClassName?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations?: unknown[];
  readonly affinity?: unknown;
  readonly topologySpreadConstraints?: Record<string, unknown>[];
}

export interface PodTemplate {
  readonly metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  readonly spec: PodSpec;
}

export const components = ['api', 'relay', 'persister', 'operator', 'web'] as const;
export type Component = (typeof components)[number];

export const release = 'fs';

export function objectsOf(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

/** `helm template fs charts/flash-sale <args>`: the chart as a user renders it. */
export function helmTemplate(args: readonly string[] = []): Promise<ToolResult> {
  return runTool('helm', ['template', release, chartPath, '--kube-version', kubeVersion, ...args]);
}

export async function render(args: readonly string[] = []): Promise<K8sObject[]> {
  const result = await helmTemplate(args);
  if (result.exitCode !== 0) throw new Error(`helm template ${args.join(' ')}: ${result.stderr}`);
  return objectsOf(result.stdout);
}

/** `--set key=value` for each entry (values may hold commas: --set-json keeps them whole). */
export function setJson(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([key, value]) => [
    '--set-json',
    `${key}=${JSON.stringify(value)}`,
  ]);
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) {
    const present = objects.map((object) => `${object.kind}/${object.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} rendered; rendered: ${present}`);
  }
  return found;
}

export function podTemplateOf(objects: readonly K8sObject[], component: Component): PodTemplate {
  const deployment = find(objects, 'Deployment', `${release}-flash-sale-${component}`);
  return (deployment.spec as { template: PodTemplate }).template;
}

export function containerOf(objects: readonly K8sObject[], component: Component): Container {
  const [container] = podTemplateOf(objects, component).spec.containers;
  if (!container) throw new Error(`Deployment ${component} has no container`);
  return container;
}

/**
 * The stack's real kube-apiserver for a spec: a fresh namespace and a server-side dry run
 * (the apiserver validates every object against its OpenAPI schema and admission).
 */
export class ApiServer {
  readonly namespace = isolatedNames('chart').namespace;
  kubeconfig = '';

  /** Call from beforeAll with stackStartTimeoutMs. */
  async start(): Promise<void> {
    this.kubeconfig = (await useStack()).KUBECONFIG;
    await this.kubectl([
      'apply',
      '--server-side',
      '--field-manager=flashsale-tests',
      '--force-conflicts',
      '-k',
      'manifests/crds',
    ]);
    await this.createNamespace(this.namespace);
  }

  async createNamespace(name: string): Promise<void> {
    await this.kubectl(['create', 'namespace', name]);
  }

  /** No namespace controller runs here: a deleted namespace stays Terminating, harmlessly. */
  async deleteNamespace(name = this.namespace): Promise<void> {
    await runTool('kubectl', ['delete', 'namespace', name, '--wait=false'], {
      kubeconfig: this.kubeconfig,
    });
  }

  kubectl(args: readonly string[], input?: string): Promise<string> {
    const options = { kubeconfig: this.kubeconfig, ...(input === undefined ? {} : { input }) };
    return mustRun('kubectl', args, options);
  }

  helm(args: readonly string[]): Promise<ToolResult> {
    return runTool('helm', args, { kubeconfig: this.kubeconfig });
  }

  /** Server-side dry-run apply of rendered YAML into the spec's namespace. */
  dryRun(yamlText: string): Promise<string> {
    return this.kubectl(
      [
        'apply',
        '--server-side',
        '--dry-run=server',
        '--field-manager=flashsale-chart-tests',
        '-n',
        this.namespace,
        '-f',
        '-',
      ],
      yamlText,
    );
  }

  /** `helm template` into the spec's namespace, then the server-side dry run of it. */
  async renderAndDryRun(args: readonly string[]): Promise<K8sObject[]> {
    const result = await helmTemplate(['--namespace', this.namespace, ...args]);
    if (result.exitCode !== 0) throw new Error(`helm template: ${result.stderr}`);
    const out = await this.dryRun(result.stdout);
    const objects = objectsOf(result.stdout);
    const applied = out.split('\n').filter((line) => line.endsWith('(server dry run)'));
    if (applied.length !== objects.length) {
      throw new Error(`dry run applied ${applied.length} of ${objects.length} objects:\n${out}`);
    }
    return objects;
  }
}

export { stackStartTimeoutMs };
