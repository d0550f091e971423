/** Argument parsing shared by the CLI subcommands. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.ts';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What `parseArgs` returns for positionals plus `options`. */
export type CommandArgs<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>
>;

/**
 * Node's `parseArgs` for one subcommand (positionals allowed), with a bad option reported as
 * an `input/bad-argument` error that names the command and shows its usage.
 *
 * @throws {InputError} `input/bad-argument`
 */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(
  command: string,
  usage: string,
  args: readonly string[],
  options: O,
): CommandArgs<O> {
  try {
    return parseArgs({ args: [...args], allowPositionals: true as const, options });
  } catch (error) {
    throw new InputError('input/bad-argument', `${command}: ${(error as Error).message}\nusage: ${usage}`);
  }
}
