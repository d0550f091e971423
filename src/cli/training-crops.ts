/**
 * The training code's dataset recipes as {@link CropRecipe}s for the
 * quantizer. Here, in the CLI that wires the two together, so that
 * `src/quantize/` does not import `models/training/`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasets } from '../../models/training/config.ts';
import { makeDataset } from '../../models/training/dataset.ts';
import type { CropRecipe } from '../quantize/datasets.ts';

/** The dataset recipes the training code defines. */
export type DatasetName = 'val' | 'test';

/** The full size of a training dataset recipe. */
export function datasetSize(name: DatasetName): number {
  return datasets()[name].crops;
}

/** The sources a rendered crop depends on (renderer, dataset recipe): a change to any of them must not reuse a cached set. */
async function renderingSourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  const renderers = [fileURLToPath(new URL('../render/', import.meta.url)), fileURLToPath(new URL('../render3d/', import.meta.url))];
  const training = fileURLToPath(new URL('../../models/training/', import.meta.url));
  const rendererFiles = (await Promise.all(renderers.map(async (dir) => (await readdir(dir)).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f))))).flat();
  const files = [...rendererFiles, join(training, 'dataset.ts'), join(training, 'config.ts')];
  for (const file of files.sort()) hash.update(await readFile(file));
  return hash.digest('hex');
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
