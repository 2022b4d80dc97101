import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '@flashsale/stack';
import { chartPath } from './deploy-tools.ts';

/**
 * The parts of a Grafana dashboard the deploy: specs read, and what Grafana's Prometheus data
 * source does with them before a query leaves the browser (variable interpolation).
 */
export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly fieldConfig: { readonly defaults: { readonly unit?: string } };
  readonly targets: readonly {
    readonly refId: string;
    readonly expr: string;
    readonly instant?: boolean;
  }[];
}

export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: string | { readonly query: string };
  readonly includeAll?: boolean;
  readonly multi?: boolean;
  readonly allValue?: string;
  readonly hide?: number;
}

export interface DashboardAnnotation {
  readonly name: string;
  readonly builtIn?: number;
  readonly expr?: string;
  readonly useValueForTime?: boolean;
  readonly titleFormat?: string;
}

export interface Dashboard {
  readonly uid: string;
  readonly panels: readonly DashboardPanel[];
  readonly templating: { readonly list: readonly DashboardVariable[] };
  readonly annotations: { readonly list: readonly DashboardAnnotation[] };
}

export const dashboardNames = ['overview', 'operator'] as const;

export async function readDashboard(name: string): Promise<Dashboard> {
  const text = await readFile(join(projectRoot, chartPath, 'dashboards', `${name}.json`), 'utf8');
  return JSON.parse(text) as Dashboard;
}

/** Grafana's escaping of one value of a multi-value or include-All variable. */
export function regexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/** Every option chosen, or "All". */
export type Selection = { readonly all: true } | { readonly value: string };

/** What Grafana puts in place of `$name` for a selection among `options`. */
export function formatSelection(
  variable: DashboardVariable,
  selection: Selection,
  options: readonly string[],
): string {
  const regexValued = variable.multi === true || variable.includeAll === true;
  if ('all' in selection) {
    if (variable.allValue !== undefined) return variable.allValue;
    const escaped = options.map(regexEscape);
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  }
  return regexValued ? regexEscape(selection.value) : selection.value;
}

/** Grafana's built-in interval variables, as the specs fix them. */
export const builtIns: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '30m',
};

/**
 * Replaces `$name` and `${name}` as Grafana does. A variable the dashboard does not define is
 * an error: Grafana would send it as it is, and Prometheus would reject or misread it.
 */
export function interpolate(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = values[name] ?? builtIns[name];
    if (value === undefined) throw new Error(`${expr} uses $${name}, which is not defined`);
    return value;
  });
}

/** `label_values(selector, label)` of a query variable. */
export function labelValuesQuery(variable: DashboardVariable): {
  selector: string;
  label: string;
} {
  const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(query ?? '');
  if (!match) throw new Error(`variable ${variable.name}: not a label_values() query: ${query}`);
  return { selector: match[1]!, label: match[2]! };
}

/** The unit a panel's query calls for: what the deploy: specs hold every panel to. */
export function expectedUnit(expr: string): string {
  if (expr.includes('histogram_quantile(') || /k6_\w+_duration_p\d+/.test(expr)) return 'seconds';
  if (/\) \/ /.test(expr)) return 'ratio';
  if (
    /rate\((http_request|flashsale_purchase_attempts|k6_http_reqs)[^[]*\[\$__rate_interval\]\)\)$/.test(
      expr,
    )
  )
    return 'requests per second';
  if (expr.includes('rate(')) return 'events per second';
  return 'count';
}

/** Grafana units that mean each of expectedUnit's kinds. */
export const unitsOf: Readonly<Record<string, readonly string[]>> = {
  seconds: ['s'],
  ratio: ['percentunit'],
  'requests per second': ['reqps'],
  'events per second': ['ops', 'cps', 'wps'],
  count: ['none'],
};

/** How the specs reach the Prometheus a dashboard queries. */
export interface PrometheusQueries {
  /** /api/v1/label/<label>/values?match[]=<selector> over the dashboard's time range. */
  labelValues(label: string, selector: string): Promise<string[]>;
}

/** One way a user can set a dashboard's variables, and what Grafana then substitutes. */
export interface Combination {
  /** Variable name → the text that replaces `$name`. */
  readonly values: Readonly<Record<string, string>>;
  /** Variable name → the option chosen (undefined: All). */
  readonly chosen: Readonly<Record<string, string | undefined>>;
}

function choicesOf(
  variable: DashboardVariable,
  options: readonly string[],
  context: { namespace: string; wide: boolean },
): Selection[] {
  if (variable.name === 'namespace') {
    if (!options.includes(context.namespace)) {
      throw new Error(`$namespace offers ${options.join(', ')} but not ${context.namespace}`);
    }
    return [{ value: context.namespace }, { all: true }];
  }
  if (variable.includeAll !== true)
    return options.length === 0 ? [{ value: '' }] : options.map((value) => ({ value }));
  if (context.wide || options.length === 0) return [{ all: true }];
  return [...options.map((value) => ({ value })), { all: true }];
}

/**
 * Every combination of the dashboard's variables a user can pick, with each variable's
 * options read from Prometheus as Grafana reads them (after substituting the variables
 * before it). `$namespace` is the spec's own namespace or All; once it is All, the later
 * variables are All too (other specs' namespaces are no concern of this one).
 */
export async function combinationsOf(
  dashboard: Dashboard,
  prometheus: PrometheusQueries,
  namespace: string,
): Promise<Combination[]> {
  const variables = dashboard.templating.list.filter((variable) => variable.type === 'query');
  const expand = async (index: number, so: Combination, wide: boolean): Promise<Combination[]> => {
    const variable = variables[index];
    if (!variable) return [so];
    const { selector, label } = labelValuesQuery(variable);
    const options = await prometheus.labelValues(label, interpolate(selector, so.values));
    const nested = await Promise.all(
      choicesOf(variable, options, { namespace, wide }).map((selection) =>
        expand(
          index + 1,
          {
            values: {
              ...so.values,
              [variable.name]: formatSelection(variable, selection, options),
            },
            chosen: {
              ...so.chosen,
              [variable.name]: 'all' in selection ? undefined : selection.value,
            },
          },
          wide || (variable.name === 'namespace' && 'all' in selection),
        ),
      ),
    );
    return nested.flat();
  };
  return expand(0, { values: { datasource: 'prometheus' }, chosen: {} }, false);
}

/** One query as Grafana sends it: instant (stat panels) or over the time range. */
export interface DashboardQuery {
  readonly what: string;
  readonly expr: string;
  readonly instant: boolean;
}

/** Every query of a dashboard: panel targets and annotation queries. */
export function queriesOf(dashboard: Dashboard): DashboardQuery[] {
  const panels = dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({
      what: `${dashboard.uid} / ${panel.title}${panel.type === 'stat' ? ' (stat)' : ''} / ${target.refId}`,
      expr: target.expr,
      instant: target.instant === true,
    })),
  );
  // Grafana runs annotation queries over the dashboard's time range, as range queries.
  const annotations = dashboard.annotations.list
    .filter((annotation) => annotation.expr !== undefined)
    .map((annotation) => ({
      what: `${dashboard.uid} / annotation ${annotation.name}`,
      expr: annotation.expr!,
      instant: false,
    }));
  return [...panels, ...annotations];
}

/** The variables (besides the built-in ones) a query uses. */
export function variablesIn(expr: string): string[] {
  return [...expr.matchAll(/\$\{?(\w+)\}?/g)]
    .map((match) => match[1]!)
    .filter((name) => !(name in builtIns));
}
