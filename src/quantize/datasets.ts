/**
 * The inputs the gate measures on: the contract's golden inputs and column
 * crops rendered by the training code's own dataset recipes (validation for
 * choosing, test for the final check), so agreement is measured on the
 * distribution the model was trained and reported on. The recipes come in as
 * a {@link CropRecipe} (see `src/cli/training-crops.ts`).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClassifierModel } from '../model/classifier-model.ts';
import { goldenInput } from '../model/golden.ts';
import type { ModelSource } from '../model/source.ts';
import type { PreprocessSpec } from '../preprocess/types.ts';
import { nodeImageDecoder } from '../reference/image.ts';
import type { InputSet } from './measure.ts';

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

/**
 * Rendered column crops to measure on, as the training code's dataset recipes make them
 * (`src/cli/training-crops.ts` builds one from a recipe). Given, not imported, so that the
 * quantizer does not depend on the training code.
 */
export interface CropRecipe {
  readonly name: string;
  readonly crops: number;
  readonly seed: number;
  /** Changes whenever the crops would (renderer or recipe sources): a cached set with another fingerprint is not reused. */
  readonly fingerprint: string;
  /** Renders the crops, preprocessed for `spec`: crops × height × width × channels values. */
  render(spec: PreprocessSpec, onProgress?: (done: number, total: number) => void): Float32Array;
}

/**
 * The crops of a recipe, cached under the system temp directory because rendering costs
 * ~50–80 ms a crop on this machine.
 *
 * @param spec - the model's preprocessing (crop size, grey, resize, input range)
 * @param onProgress - called after each rendered photo
 */
export async function renderedInputs(
  recipe: CropRecipe,
  spec: PreprocessSpec,
  onProgress?: (done: number, total: number) => void,
): Promise<InputSet> {
  const { crops } = recipe;
  const key = createHash('sha256')
    .update(JSON.stringify({ name: recipe.name, crops, seed: recipe.seed, spec, sources: recipe.fingerprint }))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'column-classifier-quantize');
  const file = join(dir, `${recipe.name}-${crops}-${key}.f32`);
  const description = `${recipe.name} set, ${crops} crops (seed ${recipe.seed})`;
  const per = spec.height * spec.width * spec.channels;
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength === crops * per * 4)
      return { description, count: crops, x: new Float32Array(bytes.buffer, bytes.byteOffset, crops * per) };
  } catch {
    // Not cached yet: render below.
  }
  const x = recipe.render(spec, onProgress);
  await mkdir(dir, { recursive: true });
  await writeFile(file, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  return { description, count: crops, x };
}
