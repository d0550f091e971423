/**
 * Runtime validation of a model contract: turns zod issues into a
 * {@link ContractError} whose code says which rule failed and whose message
 * names the field path and what to do.
 */
import type * as z from 'zod/mini';
import { ENGLISH_MESSAGES } from './zod-messages.ts';
import { ContractError, isErrorCode, type ErrorCode } from '../errors.ts';
import { describeContractField } from './field-descriptions.ts';
import { CONTRACT_SCHEMA_VERSION, modelContractSchema, type ModelContract } from './schema.ts';

/** Contract codes for structural problems (the cross-field ones are in `ContractRuleCode`). */
export const ContractShapeCode = {
  notAnObject: 'contract/not-an-object',
  missingField: 'contract/missing-field',
  wrongType: 'contract/wrong-type',
  invalidValue: 'contract/invalid-value',
  outOfRange: 'contract/out-of-range',
  unknownField: 'contract/unknown-field',
  badFormat: 'contract/bad-format',
  unsupportedVersion: 'contract/unsupported-version',
} as const satisfies Record<string, ErrorCode>;
export type ContractShapeCode = (typeof ContractShapeCode)[keyof typeof ContractShapeCode];

/** Renders a zod path as `heads[1].activation`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the contract itself)';
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

function codeOf(issue: z.core.$ZodIssue, root: unknown): ErrorCode {
  const checksValue = issue.code !== 'custom' && issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_key';
  if (checksValue && issue.path.length > 0 && valueAt(root, issue.path) === undefined)
    return ContractShapeCode.missingField;
  switch (issue.code) {
    case 'custom': {
      const code: unknown = issue.params?.['code'];
      return isErrorCode(code) && code.startsWith('contract/') ? code : ContractShapeCode.invalidValue;
    }
    case 'invalid_type':
      return issue.path.length === 0 ? ContractShapeCode.notAnObject : ContractShapeCode.wrongType;
    case 'invalid_value':
    case 'invalid_union':
      return issue.path.length === 1 && issue.path[0] === 'schemaVersion'
        ? ContractShapeCode.unsupportedVersion
        : ContractShapeCode.invalidValue;
    case 'too_small':
    case 'too_big':
    case 'not_multiple_of':
      return ContractShapeCode.outOfRange;
    case 'unrecognized_keys':
      return ContractShapeCode.unknownField;
    case 'invalid_format':
    case 'invalid_key':
    case 'invalid_element':
      return ContractShapeCode.badFormat;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function advice(code: ErrorCode, path: readonly PropertyKey[]): string {
  switch (code) {
    case ContractShapeCode.missingField:
      return 'Add the field.';
    case ContractShapeCode.unknownField:
      return 'Remove the field or fix its spelling (the contract accepts only the fields in models/contract.schema.json).';
    case ContractShapeCode.unsupportedVersion:
      return `This code reads schemaVersion ${CONTRACT_SCHEMA_VERSION}; convert the contract or upgrade column-classifier.`;
    case ContractShapeCode.notAnObject:
      return 'The contract must be a JSON object.';
    default:
      return path.length === 0 ? '' : 'Fix the field.';
  }
}

/**
 * Validates a parsed JSON value as a model contract.
 *
 * @param json - the parsed contract (from `userDefinedMetadata.contract` or a sidecar file)
 * @param source - where it came from, named in error messages (e.g. `model.contract.json`)
 * @returns the contract, typed
 * @throws {ContractError} with a `contract/*` code for the first problem; the message
 *   names the field path, what is wrong, what the field is for and what to do,
 *   and `details.issues` lists every problem found.
 */
export function validateContract(json: unknown, source = 'the model contract'): ModelContract {
  const result = modelContractSchema.safeParse(json, ENGLISH_MESSAGES);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const code = codeOf(issue, json);
    const at = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    // An unknown key is reported at its own path, e.g. `input.inputRnage`.
    const unknown = issue.code === 'unrecognized_keys';
    const path = unknown ? [...at, issue.keys[0] ?? ''] : at;
    const what = unknown
      ? `is not a contract field${
          issue.keys.length > 1
            ? ` (nor ${issue.keys
                .slice(1)
                .map((k) => `"${k}"`)
                .join(', ')})`
            : ''
        }`
      : issue.message;
    const described = unknown ? undefined : describeContractField(issue.path);
    const text = [
      `${source}: field \`${formatPath(path)}\`: ${what}.`,
      described === undefined ? '' : `The field is: ${described}`,
      advice(code, path),
    ]
      .filter((s) => s !== '')
      .join(' ');
    return { code, path: formatPath(path), message: text };
  });
  const [first] = issues;
  if (first === undefined) throw new ContractError(ContractShapeCode.invalidValue, `${source} is invalid.`);
  const more =
    issues.length > 1
      ? `\n(${issues.length - 1} more problem(s):\n${issues
          .slice(1)
          .map((i) => `  - ${i.message}`)
          .join('\n')})`
      : '';
  throw new ContractError(first.code, `${first.message}${more}`, { details: { issues } });
}
