/**
 * A loaded localizer (a contract-bound model whose decode is the localizer's) as the `RunLocalizer` that
 * `locate` calls, and locating with it: the path the CLI takes, and the one the worker is to take.
 */
import type * as tf from '@tensorflow/tfjs';
import { locateDecode } from '../contract/model-kind.ts';
import { InferenceError } from '../errors.ts';
import { outlinesArea } from './column-count.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { predictHeads } from '../model/read-heads.ts';
import type { PreprocessFrame } from '../preprocess/frame-grey.ts';
import { locate, splitLocalizerOutputs, type Location, type LocalizerOutput, type RunLocalizer } from './locate.ts';

/** Runs `model`'s heads on a batch of windows and names them, window by window, as its contract's decode section says. */
export function localizerRunner(model: ClassifierModel): RunLocalizer {
  const decode = locateDecode(model.contract);
  return async (input: tf.Tensor4D): Promise<LocalizerOutput[]> => {
    const values = await predictHeads(model, input);
    const corners = values[decode.corners];
    const presence = values[decode.presence];
    const count = values[decode.count];
    if (corners === undefined || presence === undefined || count === undefined)
      throw new InferenceError(
        'inference/bad-output',
        'The localizer did not give its corners, presence and count heads.',
      );
    return splitLocalizerOutputs(corners, presence, count, input.shape[0]);
  };
}

/**
 * Where the soroban is in `frame` ([H, W, 3|4] 0..255; not disposed), and whether one was found: presence at the
 * contract's threshold and a quad that outlines an area (convex, in the corners' order, not flat). `columns`, when
 * known, is the count (the localizer's is not computed).
 */
export async function locateWith(
  model: ClassifierModel,
  frame: PreprocessFrame,
  columns?: number,
): Promise<Location & { readonly found: boolean }> {
  const location = await locate(frame, localizerRunner(model), model.spec, columns);
  const found = location.presence >= locateDecode(model.contract).presenceThreshold && outlinesArea(location.corners);
  return { ...location, found };
}
