import { InvalidArgumentError } from 'commander';

/**
 * Parser for a numeric option: a bad value is a usage error (exit 2, docs/cli.md), reported by
 * commander with the option's name.
 */
export function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new InvalidArgumentError(
        `${name} must be a whole number of at least 1 (got "${value}")`,
      );
    }
    return parsed;
  };
}
