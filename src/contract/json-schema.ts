/**
 * The JSON Schema of the model contract, generated from the zod schema so the
 * two can't drift (`column-classifier schema --write` regenerates
 * `models/contract.schema.json`; a test checks the committed file is current).
 */
import * as z from 'zod/mini';
import { modelContractSchema } from './schema.ts';

/** JSON Schema (draft 2020-12) of the model contract, as written to `models/contract.schema.json`. */
export function contractJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(modelContractSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...generated,
    $id: 'https://column-classifier.invalid/contract.schema.json',
    title: 'column-classifier model contract',
  };
}

/** The text of `models/contract.schema.json`: the schema as 2-space JSON with a trailing newline. */
export function contractJsonSchemaText(): string {
  return `${JSON.stringify(contractJsonSchema(), null, 2)}\n`;
}
