import { InvalidArgumentError } from 'commander';

/**
 * Parser for a numeric option: a bad value is a usage error (exit 2, docs/cli.md), reported by
 * commander with the option's name. Only plain decimal digits count: `Number` alone would take
 * `0x10`, `1e3` or ` 7` too, and a value past 2^53 would silently lose its last digits.
 */
export function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) {
      throw new InvalidArgumentError(
        `${name} must be a whole number of at least 1 (got "${value}")`,
      );
    }
    return parsed;
  };
}
