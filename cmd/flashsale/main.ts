import { CommanderError } from 'commander';
import { describeFailure } from '@flashsale/stack';
import { buildProgram, exitCodeOf } from './program.ts';

try {
  await buildProgram().parseAsync();
} catch (error) {
  // Commander has already printed its usage errors; a failure is printed here, on stderr.
  if (!(error instanceof CommanderError)) process.stderr.write(`${describeFailure(error)}\n`);
  process.exitCode = exitCodeOf(error);
}
