/**
 * Finds a model's contract: inside model.json (`userDefinedMetadata.contract`,
 * where it cannot be separated from the weights) and/or in a sidecar file
 * (`model.contract.json` beside model.json, for models converted elsewhere).
 */
import { ContractError, LoadError } from '../errors.ts';
import type { ModelJson } from './model-json.ts';

/** The default sidecar file name, beside model.json. */
export const SIDECAR_NAME = 'model.contract.json';

/** Where the contract came from. */
export type ContractOrigin = 'embedded' | 'sidecar';

/** The unvalidated contract JSON and its origin. */
export interface LocatedContract {
  readonly json: unknown;
  readonly origin: ContractOrigin;
  /** For messages: `model.json userDefinedMetadata.contract` or the sidecar's path. */
  readonly description: string;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The first path where two JSON values differ, e.g. `input.inputRange.max`. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))) return undefined;
  const bothObjects =
    typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return path === '' ? '(the whole contract)' : path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const sub = Array.isArray(a) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], sub);
    if (found !== undefined) return found;
  }
  return path;
}

/**
 * Parses a sidecar's text.
 *
 * @throws {LoadError} `load/bad-json` when it is not JSON
 */
export function parseSidecar(text: string, description: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new LoadError(
      'load/bad-json',
      `The contract sidecar ${description} is not valid JSON: ${String(error)}. Fix the file (its schema is models/contract.schema.json).`,
      { cause: error },
    );
  }
}

/**
 * Chooses the contract from model.json and an optional sidecar.
 *
 * @param model - the parsed model.json
 * @param sidecar - the parsed sidecar and its description, when one exists
 * @throws {ContractError} `contract/sidecar-conflict` when both exist and differ;
 *   `contract/missing` when neither exists
 */
export function locateContract(
  model: ModelJson,
  sidecar: { json: unknown; description: string } | undefined,
): LocatedContract {
  const embedded = model.userDefinedMetadata?.['contract'];
  if (embedded !== undefined && sidecar !== undefined) {
    const at = firstDifference(embedded, sidecar.json);
    if (at !== undefined) {
      throw new ContractError(
        'contract/sidecar-conflict',
        `model.json carries a contract (userDefinedMetadata.contract) and the sidecar ${sidecar.description} carries another; they differ at \`${at}\`. Two contracts for one model is ambiguous: delete the sidecar, or make it identical to the embedded contract.`,
        { details: { path: at } },
      );
    }
  }
  if (embedded !== undefined)
    return { json: embedded, origin: 'embedded', description: 'model.json userDefinedMetadata.contract' };
  if (sidecar !== undefined) return { json: sidecar.json, origin: 'sidecar', description: sidecar.description };
  throw new ContractError(
    'contract/missing',
    `The model has no contract: model.json has no userDefinedMetadata.contract and there is no ${SIDECAR_NAME} beside it. Without one the input range, the heads and their order are guesses; write a contract (schema: models/contract.schema.json) into userDefinedMetadata.contract or a sidecar.`,
  );
}
