import { firstLine } from '../exec.ts';
import { StepError } from '../progress.ts';

/** Parses "major.minor" out of a version banner; undefined when none is found. */
export function parseMajorMinor(banner: string, pattern: RegExp): [number, number] | undefined {
  const match = pattern.exec(banner);
  if (!match?.[1] || !match[2]) return undefined;
  return [Number(match[1]), Number(match[2])];
}

export function atLeast(actual: [number, number], wanted: [number, number]): boolean {
  return actual[0] > wanted[0] || (actual[0] === wanted[0] && actual[1] >= wanted[1]);
}

interface Toolchain {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly pattern: RegExp;
  readonly minimum: [number, number];
  readonly fix: string;
}

const toolchains: readonly Toolchain[] = [
  {
    name: 'Go',
    cmd: 'go',
    args: ['version'],
    pattern: /go(\d+)\.(\d+)/,
    minimum: [1, 26],
    fix: 'install Go 1.26 or newer (https://go.dev/doc/install) and put `go` on PATH',
  },
  {
    name: 'Java',
    cmd: 'java',
    args: ['-version'],
    pattern: /version "(\d+)(?:\.(\d+))?/,
    minimum: [17, 0],
    fix: 'install a JDK 17 or newer, e.g. `apt-get install -y openjdk-17-jdk-headless`',
  },
  {
    name: 'Maven',
    cmd: 'mvn',
    args: ['-v'],
    pattern: /Apache Maven (\d+)\.(\d+)/,
    minimum: [3, 6],
    fix: 'install Maven 3.6 or newer, e.g. `apt-get install -y maven`',
  },
];

async function banner(tool: Toolchain): Promise<string | undefined> {
  // `java -version` prints to stderr; `firstLine` captures both streams.
  return firstLine(tool.cmd, tool.args);
}

/** Checks the toolchains the installer builds with; returns "name version" lines. */
export async function checkToolchains(): Promise<string[]> {
  const found: string[] = [];
  for (const tool of toolchains) {
    const line = await banner(tool);
    const version = line === undefined ? undefined : parseMajorMinor(line, tool.pattern);
    if (!version) {
      throw new StepError(
        'prerequisites',
        `${tool.name} was not found (\`${tool.cmd}\` is not on PATH)`,
        tool.fix,
      );
    }
    if (!atLeast([version[0], version[1] || 0], tool.minimum)) {
      throw new StepError(
        'prerequisites',
        `${tool.name} ${version.join('.')} is too old`,
        tool.fix,
      );
    }
    found.push(`${tool.name} ${version[0]}.${version[1] || 0}`);
  }
  return found;
}
