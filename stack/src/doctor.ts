import { join } from 'node:path';
import { postgresBinDir } from './components/postgres.ts';
import { run } from './exec.ts';
import { kafkaLibDir } from './install/kafka.ts';
import { toolBin } from './paths.ts';
import { status, type ComponentStatus } from './stack.ts';

/** One thing the platform needs on this machine, and how to ask it for its version. */
interface Tool {
  readonly name: string;
  readonly command: () => [string, string[]] | Promise<[string, string[]]>;
  /** Picks the version out of the command's output. */
  readonly version: RegExp;
  /** The stack component that runs it, when it is a server. */
  readonly server?: string;
}

const tools: readonly Tool[] = [
  {
    name: 'redis',
    command: () => ['redis-server', ['--version']],
    version: /v=(\S+)/,
    server: 'redis',
  },
  {
    name: 'postgresql',
    command: async () => [join(await postgresBinDir(), 'postgres'), ['--version']],
    version: /\(PostgreSQL\) (\S+)/,
    server: 'postgresql',
  },
  {
    name: 'kafka',
    command: () => ['java', ['-cp', `${kafkaLibDir()}/*`, 'kafka.Kafka', '--version']],
    version: /^(\d+\.\d+\.\d+\S*)/m,
    server: 'kafka',
  },
  { name: 'k6', command: () => [toolBin('k6'), ['version']], version: /k6 (v\S+)/ },
  {
    name: 'helm',
    command: () => [toolBin('helm'), ['version', '--short']],
    version: /(v\d\S+)/,
  },
  {
    name: 'etcd',
    command: () => [toolBin('etcd'), ['--version']],
    version: /etcd Version: (\S+)/,
    server: 'etcd',
  },
  {
    name: 'kube-apiserver',
    command: () => [toolBin('kube-apiserver'), ['--version']],
    version: /Kubernetes (v\S+)/,
    server: 'kube-apiserver',
  },
  {
    name: 'kubectl',
    command: () => [toolBin('kubectl'), ['version', '--client']],
    version: /Client Version: (v\S+)/,
  },
  {
    name: 'prometheus',
    command: () => ['prometheus', ['--version']],
    version: /version (\S+)/,
    server: 'prometheus',
  },
  {
    name: 'jaeger',
    command: () => [toolBin('jaeger'), ['version']],
    version: /"gitVersion":"([^"]+)"/,
    server: 'jaeger',
  },
  { name: 'chromium', command: () => ['chromium', ['--version']], version: /Chromium (\S+)/ },
];

export interface DoctorRow {
  readonly name: string;
  readonly version: string | undefined;
  /** 'running', 'stopped', or 'tool' for something that is not a server. */
  readonly state: 'running' | 'stopped' | 'tool';
  readonly pid?: number;
}

async function versionOf(tool: Tool): Promise<string | undefined> {
  try {
    const [cmd, args] = await tool.command();
    const result = await run(cmd, args);
    return result.code === 0 ? tool.version.exec(result.output)?.[1] : undefined;
  } catch {
    return undefined;
  }
}

function stateOf(
  tool: Tool,
  statuses: readonly ComponentStatus[],
): Pick<DoctorRow, 'state' | 'pid'> {
  if (!tool.server) return { state: 'tool' };
  const found = statuses.find((entry) => entry.name === tool.server);
  if (found?.ready && found.pid !== undefined) return { state: 'running', pid: found.pid };
  return { state: 'stopped' };
}

export async function doctor(): Promise<DoctorRow[]> {
  const statuses = await status();
  return Promise.all(
    tools.map(async (tool) => ({
      name: tool.name,
      version: await versionOf(tool),
      ...stateOf(tool, statuses),
    })),
  );
}

export function formatDoctor(rows: readonly DoctorRow[]): string {
  const lines = rows.map((row) => {
    const version = row.version ?? 'MISSING (run: npx flashsale stack install)';
    const state = row.state === 'running' ? `running (pid ${row.pid})` : row.state;
    return `${row.name.padEnd(16)}${version.padEnd(24)}${state}`;
  });
  return [`${'component'.padEnd(16)}${'version'.padEnd(24)}state`, ...lines].join('\n');
}
