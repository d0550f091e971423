/**
 * Which TF.js kernels a model needs in the worker: the kernels that its golden self-check, the warm-up and a
 * frame read run, recorded with `tf.profile` on whatever backend is active. The worker bundle registers only
 * these (scripts/worker-kernels.ts writes the list), so this runs exactly the calls the worker makes.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageDecoder } from '../model/golden.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { readColumns } from '../model/read-columns.ts';
import type { ModelSource } from '../model/source.ts';
import { NO_MARGINS, WHOLE_FRAME } from '../preprocess/types.ts';
import { measureGolden } from './golden-check.ts';
import { modelKind } from '../contract/model-kind.ts';
import { periodicityScores } from '../localize/column-count.ts';
import { locateWith } from '../localize/localizer-model.ts';

/**
 * Kernel names, sorted, that {@link measureGolden} and the frame path run for `model`: {@link readColumns} for a
 * column classifier, {@link locateWith} and the periodicity count for a localizer.
 */
export async function kernelsUsed(
  model: ClassifierModel,
  source: ModelSource,
  decode: ImageDecoder,
): Promise<string[]> {
  const names = new Set<string>();
  const profile = await tf.profile(async () => {
    await measureGolden(model, source, decode);
    // A frame as the worker makes it (tf.browser.fromPixels gives int32 RGB), one and many columns.
    const frame = () => tf.zeros<tf.Rank.R3>([96, 160, 3], 'int32');
    if (modelKind(model.contract) === 'localizer') {
      const pixels = frame();
      try {
        await locateWith(model, pixels);
        // The count's own path, whatever the blank frame gave as corners (it skips a quad that outlines no area).
        await periodicityScores(pixels, WHOLE_FRAME);
      } finally {
        pixels.dispose();
      }
    } else
      for (const columns of [1, 13])
        await readColumns(model, frame, { columns, corners: WHOLE_FRAME, margins: NO_MARGINS });
  });
  // The profile also names ops that run as one function (customGrad's "fusedConv2d__op"): only registered
  // kernels can be left out of a bundle.
  for (const name of profile.kernelNames) if (tf.getKernel(name, tf.getBackend()) !== undefined) names.add(name);
  return [...names].sort();
}
