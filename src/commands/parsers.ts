/**
 * commander argument parsers shared by several commands (only commander is imported, so a
 * command file stays light to load).
 */
import { InvalidArgumentError } from 'commander';

/**
 * An argParser for a positive integer option.
 * @param name the flag, for the message (e.g. `--timeout`).
 * @param unit shown after the message when given (e.g. `ms`).
 * @throws InvalidArgumentError (commander: exit 2) for anything else.
 */
export function positiveInt(name: string, unit?: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      throw new InvalidArgumentError(`${name} must be a positive integer${unit ? ` (${unit})` : ''}.`);
    }
    return n;
  };
}
