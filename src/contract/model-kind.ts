/**
 * Which kind of model a contract describes — a column classifier (decodes a digit) or a localizer (finds the
 * soroban) — and the typed decode section of the kind a caller needs. Given the other kind, a typed error says
 * what was given and where it belongs.
 */
import { ContractError } from '../errors.ts';
import { DECODE_RULE, type ClassifierDecode, type LocateDecode, type ModelContract } from './schema.ts';

/** The kinds of model a contract can describe. */
export type ModelKind = 'column-classifier' | 'localizer';

/** The kind of model `contract` describes. */
export function modelKind(contract: ModelContract): ModelKind {
  return contract.decode.rule === DECODE_RULE ? 'column-classifier' : 'localizer';
}

function wrongKind(contract: ModelContract, wanted: ModelKind, source: string): ContractError {
  const given = modelKind(contract);
  const where =
    given === 'localizer'
      ? 'It finds the soroban; give it as the localizer model, and a column classifier as the model.'
      : 'It reads columns; give it as the model, and a localizer as the localizer model.';
  return new ContractError(
    'contract/wrong-model-kind',
    `${source} is a ${given} (decode.rule "${contract.decode.rule}"), not a ${wanted}. ${where}`,
    { details: { given, wanted } },
  );
}

/** The decode section of a column classifier's contract; `contract/wrong-model-kind` for a localizer's. */
export function classifierDecode(contract: ModelContract, source = 'The model'): ClassifierDecode {
  if (contract.decode.rule === DECODE_RULE) return contract.decode;
  throw wrongKind(contract, 'column-classifier', source);
}

/** The decode section of a localizer's contract; `contract/wrong-model-kind` for a column classifier's. */
export function locateDecode(contract: ModelContract, source = 'The localizer model'): LocateDecode {
  if (contract.decode.rule !== DECODE_RULE) return contract.decode;
  throw wrongKind(contract, 'localizer', source);
}
