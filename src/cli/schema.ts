/** `column-classifier schema [--write PATH]`: prints or writes the contract's JSON Schema. */
import { writeFile } from 'node:fs/promises';
import { contractJsonSchemaText } from '../contract/json-schema.ts';
import { InputError } from '../errors.ts';

/** Default place of the committed JSON Schema, relative to the package root. */
export const CONTRACT_SCHEMA_PATH = 'models/contract.schema.json';

/**
 * Runs the `schema` command.
 *
 * @param args - arguments after `schema`: nothing (print) or `--write [PATH]`
 * @returns the exit code
 */
export async function runSchema(args: readonly string[]): Promise<number> {
  const text = contractJsonSchemaText();
  if (args.length === 0) {
    process.stdout.write(text);
    return 0;
  }
  if (args[0] !== '--write' || args.length > 2) {
    throw new InputError(
      'input/bad-argument',
      `schema: unexpected arguments ${args.join(' ')}; use "schema" or "schema --write [PATH]".`,
    );
  }
  const path = args[1] ?? CONTRACT_SCHEMA_PATH;
  await writeFile(path, text);
  process.stdout.write(`wrote ${path}\n`);
  return 0;
}
