/**
 * The training code's dataset recipes as {@link CropRecipe}s for the
 * quantizer. Here, in the CLI that wires the two together, so that
 * `src/quantize/` does not import `models/training/`.
 */
import { datasets } from '../../models/training/config.ts';
import { makeDataset } from '../../models/training/dataset.ts';
import type { CropRecipe } from '../quantize/datasets.ts';
import { renderingSourcesHash } from './rendering-sources.ts';

/** The dataset recipes the training code defines. */
export type DatasetName = 'val' | 'test';

/** The full size of a training dataset recipe. */
export function datasetSize(name: DatasetName): number {
  return datasets()[name].crops;
}

/**
 * The first `crops` crops of a training dataset recipe (same seed, so the first N crops are
 * those of the full set).
 */
export async function trainingCrops(name: DatasetName, crops: number): Promise<CropRecipe> {
  const recipe = { ...datasets()[name], crops };
  return {
    name: recipe.name,
    crops,
    seed: recipe.seed,
    // The recipe itself (jitter, filters, columns) as well as the code that renders it.
    fingerprint: `${await renderingSourcesHash()} ${JSON.stringify(recipe)}`,
    render: (spec, onProgress) => makeDataset(recipe, spec, onProgress).x,
  };
}
