/**
 * The training code's dataset recipes as {@link CropRecipe}s for the
 * quantizer. Here, in the CLI that wires the two together, so that
 * `src/quantize/` does not import `models/training/`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { datasets } from '../../models/training/config.ts';
import { makeDataset } from '../../models/training/dataset.ts';
import { localizerDatasets } from '../../models/training/localizer/config.ts';
import { makeLocalizerSamples } from '../../models/training/localizer/samples.ts';
import type { ModelKind } from '../contract/model-kind.ts';
import type { LabelledCrops } from '../fine-tune/labelled-crops.ts';
import { columnsRecipe, renderedColumns, type ColumnsRecipe } from '../fine-tune/rendered-columns.ts';
import type { PreprocessSpec } from '../preprocess/types.ts';
import type { CropRecipe } from '../quantize/datasets.ts';
import { renderingSourcesHash } from './rendering-sources.ts';

/** The dataset recipes the training code defines. */
export type DatasetName = 'val' | 'test';

/** The full size of a training dataset recipe: column crops for a classifier, windows for a localizer. */
export function datasetSize(name: DatasetName, kind: ModelKind = 'column-classifier'): number {
  if (kind === 'column-classifier') return datasets()[name].crops;
  const spec = localizerDatasets()[name];
  return spec.photos * (spec.windows === 'whole-frame' ? 1 : spec.windows);
}

/** The model inputs of a dataset recipe for a model of `kind`: column crops or localizer windows. */
export async function trainingInputs(name: DatasetName, count: number, kind: ModelKind): Promise<CropRecipe> {
  return kind === 'column-classifier' ? trainingCrops(name, count) : localizerWindows(name, count);
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

/**
 * The first `windows` windows of a localizer dataset recipe, as its training reads them: validation photos through
 * wide, close and cutting windows; test photos through their whole frame.
 */
export async function localizerWindows(name: DatasetName, windows: number): Promise<CropRecipe> {
  const full = localizerDatasets()[name];
  const perPhoto = full.windows === 'whole-frame' ? 1 : full.windows;
  const recipe = { ...full, name: `localizer-${full.name}`, photos: Math.ceil(windows / perPhoto) };
  return {
    name: recipe.name,
    crops: windows,
    seed: recipe.seed,
    fingerprint: `${await renderingSourcesHash()} ${JSON.stringify(recipe)}`,
    render: (spec, onProgress) => {
      if (spec.height !== spec.width || spec.channels !== 1)
        throw new Error(`a localizer reads square grey windows, not ${spec.height}×${spec.width}×${spec.channels}`);
      const samples = makeLocalizerSamples(recipe, spec.height, onProgress);
      const per = spec.height * spec.width;
      // Samples keep bytes (value · 255); the model's input is the value, as the product's preprocessing gives it.
      return Float32Array.from(samples.x.subarray(0, windows * per), (v) => v / 255);
    },
  };
}

/**
 * {@link renderedColumns}, cached under the system temp directory (the test set's 3 000 crops take minutes to
 * render), keyed by the recipe and the rendering code.
 */
export async function trainingColumns(
  name: ColumnsRecipe,
  count: number,
  spec: PreprocessSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<LabelledCrops> {
  const recipe = columnsRecipe(name, count);
  const key = createHash('sha256')
    .update(JSON.stringify({ recipe, count, spec, sources: await renderingSourcesHash() }))
    .digest('hex')
    .slice(0, 16);
  const file = join(tmpdir(), 'column-classifier-fine-tune', `${recipe.name}-${count}-${key}.bin`);
  const per = spec.height * spec.width;
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength === count * (per * 4 + 1)) {
      const x = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * per * 4));
      const digits = new Uint8Array(bytes.buffer, bytes.byteOffset + count * per * 4, count).slice();
      return { count, height: spec.height, width: spec.width, x, digits };
    }
  } catch {
    // Not rendered yet.
  }
  const crops = renderedColumns(name, count, spec, onProgress);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, Buffer.concat([new Uint8Array(crops.x.buffer), crops.digits]));
  return crops;
}
