import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) that a summary needs. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
    readonly hitCount?: number;
  }[];
}

export interface ProfileRow {
  readonly name: string;
  /** Percent of the busy samples (all but "(idle)"). */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busySamples: number;
  readonly idleShare: number;
  /** By function (name and where it is), most self time first. */
  readonly functions: readonly ProfileRow[];
  /** By package (node_modules/<name>), project file, or Node's internals. */
  readonly places: readonly ProfileRow[];
}

/** node_modules/@koa/router/lib/layer.js → @koa/router; file:///x/platform/src/a.ts → platform/src/a.ts */
export function placeOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  if (url.startsWith('node:')) return 'node internals';
  const project = /\/((?:platform|cmd|stack|operator)\/.*)$/.exec(url);
  return project?.[1] ?? url.replace(/^file:\/\//, '');
}

function ranked(totals: Map<string, number>, busy: number, top: number): ProfileRow[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, samples]) => ({ name, share: busy > 0 ? (samples / busy) * 100 : 0 }));
}

const add = (totals: Map<string, number>, key: string, count: number): void => {
  totals.set(key, (totals.get(key) ?? 0) + count);
};

/** Self time by function and by place, as shares of the samples where the process was busy. */
export function summariseCpuProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const functions = new Map<string, number>();
  const places = new Map<string, number>();
  let idle = 0;
  let all = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    all += hits;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const place = placeOf(frame.url);
    const name = frame.functionName || '(anonymous)';
    add(functions, frame.url ? `${name}  ${place}:${frame.lineNumber + 1}` : name, hits);
    add(places, frame.url ? place : name, hits);
  }
  const busy = all - idle;
  return {
    busySamples: busy,
    idleShare: all > 0 ? (idle / all) * 100 : 0,
    functions: ranked(functions, busy, top),
    places: ranked(places, busy, top),
  };
}

export function formatProfileSummary(summary: ProfileSummary, file: string): string {
  const rows = (list: readonly ProfileRow[]): string[] =>
    list.map((row) => `  ${row.share.toFixed(1).padStart(5)}%  ${row.name}`);
  return [
    `CPU profile ${file}: ${summary.busySamples} busy samples, idle ${summary.idleShare.toFixed(0)}% of the time`,
    'self time by function (share of busy time):',
    ...rows(summary.functions),
    'self time by package or file:',
    ...rows(summary.places),
  ].join('\n');
}

/**
 * The busiest .cpuprofile in `dir`, summarised: a process writes one per thread (tsx's loader
 * runs in a worker), and the API's own work is in the main thread's.
 */
export async function summariseBusiestProfile(dir: string, top = 15): Promise<string> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'));
  let best: { file: string; summary: ProfileSummary } | undefined;
  for (const name of files) {
    const file = join(dir, name);
    const summary = summariseCpuProfile(
      JSON.parse(await readFile(file, 'utf8')) as CpuProfile,
      top,
    );
    if (!best || summary.busySamples > best.summary.busySamples) best = { file, summary };
  }
  return best ? formatProfileSummary(best.summary, best.file) : `no .cpuprofile in ${dir}`;
}
