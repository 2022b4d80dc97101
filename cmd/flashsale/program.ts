import { readFileSync } from 'node:fs';
import { Command, CommanderError, type OutputConfiguration } from 'commander';
import { registerBenchCommands } from './bench-commands.ts';
import { registerClusterCommands } from './cluster-commands.ts';
import { registerPlatformCommands } from './platform-commands.ts';
import { registerSaleCommands } from './sale-commands.ts';
import { registerStackCommands } from './stack-commands.ts';

/** The exit codes every command keeps (docs/cli.md). */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as { version: string };

/**
 * The whole `flashsale` command tree, run by `parseAsync`. `output` replaces where commander
 * writes help and usage errors (specs capture them).
 */
export function buildProgram(output: OutputConfiguration = {}): Command {
  const program = new Command('flashsale')
    .configureOutput(output)
    .description('Flash sale platform: local stack and operations')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError()
    // Set before any subcommand is added, so that every subcommand inherits it: commander then
    // throws instead of exiting, and `exitCodeOf` turns its usage errors into exit 2.
    .exitOverride();
  registerStackCommands(program);
  registerSaleCommands(program);
  registerPlatformCommands(program);
  registerBenchCommands(program);
  registerClusterCommands(program);
  return program;
}

/**
 * Usage errors exit 2 and failures 1, so scripts can tell a typo from an outage. Commander's
 * own exits that are not errors (help, version) keep 0; help shown because a command is
 * missing (`flashsale sale`) is a usage error.
 */
export function exitCodeOf(error: unknown): number {
  if (!(error instanceof CommanderError)) return exitCodes.failure;
  return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
}
