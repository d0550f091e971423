/**
 * Rendered columns a fine-tune mixes in (the training recipe, so the model keeps reading what it learnt) and is
 * judged on (the test recipe the shipped model was reported on). The renderers are plain TypeScript, so Node and
 * the fine-tune worker render the same columns from the same seeds.
 */
import { datasets, FLAT_TRAINING_STYLES } from '../../models/training/config.ts';
import { makeDataset } from '../../models/training/dataset.ts';
import type { PreprocessSpec } from '../preprocess/types.ts';
import { pickCrops, type LabelledCrops } from './labelled-crops.ts';

/** The training code's recipes a fine-tune uses: `train` to mix in (replay), `test` to judge by. */
export type ColumnsRecipe = 'train' | 'test';

/**
 * The recipe (seed, styles) of the first `count` readable columns of `name`. `train` is the training recipe's seed
 * with the looks the shipped model was trained on (the flat renderer, no "not a column" crops): what it must keep
 * reading (not the whole training mix, whose 3D photos it never saw and which take longer to render).
 */
export function columnsRecipe(name: ColumnsRecipe, count: number) {
  const recipe =
    name === 'train' ? { ...datasets().train, filters: [FLAT_TRAINING_STYLES], negatives: 0 } : datasets()[name];
  // A few more crops than asked: unreadable ones (misplaced quads) are dropped.
  return { ...recipe, crops: Math.ceil(count * 1.4) };
}

/**
 * The first `count` readable column crops of a recipe with their digits, cut for `spec`.
 *
 * @throws {RangeError} when the recipe gives fewer readable crops than asked
 */
export function renderedColumns(
  name: ColumnsRecipe,
  count: number,
  spec: PreprocessSpec,
  onProgress?: (done: number, total: number) => void,
): LabelledCrops {
  const recipe = columnsRecipe(name, count);
  const data = makeDataset(recipe, spec, onProgress);
  const readable = Array.from({ length: data.size }, (_, i) => i).filter((i) => data.readable[i] === 1);
  if (readable.length < count)
    throw new RangeError(`The ${recipe.name} recipe gave ${readable.length} readable crops, fewer than ${count}.`);
  return pickCrops({ ...data, count: data.size }, readable.slice(0, count));
}
