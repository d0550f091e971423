/**
 * The inputs the gate measures on: the contract's golden inputs and column
 * crops rendered by the training code's own dataset recipes (validation for
 * choosing, test for the final check), so agreement is measured on the
 * distribution the model was trained and reported on.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasets } from '../../models/training/config.ts';
import { makeDataset, type DatasetSpec } from '../../models/training/dataset.ts';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { goldenInput } from '../model/golden.ts';
import type { ModelSource } from '../model/source.ts';
import type { PreprocessSpec } from '../preprocess/types.ts';
import { nodeImageDecoder } from '../reference/image.ts';
import type { InputSet } from './measure.ts';

/** The dataset recipes the training code defines. */
export type DatasetName = 'val' | 'test';

/**
 * Every golden case of the model's contract as one input set.
 *
 * @param source - where PNG golden inputs are read from
 */
export async function goldenInputs(model: ClassifierModel, source: ModelSource): Promise<InputSet> {
  const cases = model.contract.golden?.cases ?? [];
  const parts: Float32Array[] = [];
  for (const goldenCase of cases) {
    const input = await goldenInput(model, goldenCase, source, nodeImageDecoder);
    try {
      parts.push((await input.data()) as Float32Array);
    } finally {
      input.dispose();
    }
  }
  const x = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (x.set(p, at), at + p.length), 0);
  // A photo case gives one input per column.
  const count = x.length / (model.spec.height * model.spec.width * model.spec.channels);
  return { description: `${parts.length} golden cases (${count} inputs)`, count, x };
}

/** The full size of a training dataset recipe. */
export function datasetSize(name: DatasetName): number {
  return datasets()[name].crops;
}

/** The sources a rendered crop depends on (renderer, dataset recipe): a change to any of them must not reuse a cached set. */
async function renderingSourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  const render = fileURLToPath(new URL('../render/', import.meta.url));
  const training = fileURLToPath(new URL('../../models/training/', import.meta.url));
  const files = [...(await readdir(render)).filter((f) => f.endsWith('.ts')).map((f) => join(render, f)), join(training, 'dataset.ts'), join(training, 'config.ts')];
  for (const file of files.sort()) hash.update(await readFile(file));
  return hash.digest('hex');
}

/**
 * Renders the first `crops` crops of a training dataset recipe (same seed, so
 * the first N crops are those of the full set), cached under the system temp
 * directory because rendering costs ~50–80 ms a crop on this machine.
 *
 * @param spec - the model's preprocessing (crop size, grey, resize, input range)
 * @param onProgress - called after each rendered photo
 */
export async function renderedInputs(name: DatasetName, crops: number, spec: PreprocessSpec, onProgress?: (done: number, total: number) => void): Promise<InputSet> {
  const recipe: DatasetSpec = { ...datasets()[name], crops };
  const key = createHash('sha256').update(JSON.stringify({ recipe, spec, sources: await renderingSourcesHash() })).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'column-classifier-quantize');
  const file = join(dir, `${recipe.name}-${crops}-${key}.f32`);
  const description = `${recipe.name} set, ${crops} crops (seed ${recipe.seed})`;
  const per = spec.height * spec.width * spec.channels;
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength === crops * per * 4) return { description, count: crops, x: new Float32Array(bytes.buffer, bytes.byteOffset, crops * per) };
  } catch {
    // Not cached yet: render below.
  }
  const data = makeDataset(recipe, spec, onProgress);
  await mkdir(dir, { recursive: true });
  await writeFile(file, new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  return { description, count: crops, x: data.x };
}
