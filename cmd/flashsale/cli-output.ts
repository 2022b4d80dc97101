import type { Command } from 'commander';

/**
 * How every command that prints data prints it (docs/cli.md): text for people by default, one
 * JSON document with `--json` for scripts. Only the result goes to stdout; progress, logs and
 * errors go to stderr, so `flashsale ... --json | jq` always reads valid JSON or nothing.
 */
export interface OutputFlags {
  readonly json?: boolean;
}

/** Adds `--json` to a command that prints data. */
export function withJsonOption(command: Command): Command {
  return command.option('--json', 'print the result as JSON on stdout (logs stay on stderr)');
}

/** Where results go: stdout, unless a spec gives another sink. */
export type Sink = (text: string) => void;

const stdout: Sink = (text) => {
  process.stdout.write(text);
};

/** The result as it goes out: pretty JSON with --json, else the command's own text. */
export function renderResult<T>(
  flags: OutputFlags,
  result: T,
  asText: (result: T) => string,
): string {
  const body = flags.json === true ? JSON.stringify(result, null, 2) : asText(result);
  return body.endsWith('\n') ? body : `${body}\n`;
}

/** Prints a command's result (see `renderResult`). */
export function printResult<T>(
  flags: OutputFlags,
  result: T,
  asText: (result: T) => string,
  sink: Sink = stdout,
): void {
  sink(renderResult(flags, result, asText));
}
