/** The bridge from a model contract to the shared preprocessing module's input. */
import { ContractError } from '../errors.ts';
import type { PreprocessSpec } from '../preprocess/types.ts';
import type { ModelContract } from './schema.ts';

/**
 * The {@link PreprocessSpec} that feeds a model exactly as its contract says.
 *
 * @throws {ContractError} `contract/missing-input-range` when the contract gives no
 *   input range (a float model must say what range it expects; we never guess)
 */
export function toPreprocessSpec(contract: ModelContract): PreprocessSpec {
  const { input } = contract;
  if (input.inputRange === undefined) {
    throw new ContractError(
      'contract/missing-input-range',
      `The contract gives no input.inputRange, so the value range the model's ${input.dtype} input expects is unknown. Add input.inputRange ({min, max}: the values fed for black and white pixels; {min: 0, max: 255} when the model rescales inside).`,
    );
  }
  return {
    height: input.height,
    width: input.width,
    channels: input.channels,
    grey: input.grey,
    resize: input.resize.method,
    prefilter: input.resize.prefilter,
    inputRange: { min: input.inputRange.min, max: input.inputRange.max },
  };
}
