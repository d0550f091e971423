/**
 * A folder in the `render` format (PNG or JPEG photos and `labels.json` with each photo's digits and bead-area
 * corners) as the labelled columns a fine-tune learns from: cut by the product's own `preprocessColumns` for the
 * model's input, columns a label marks unreadable left out. `column-classifier render` writes such folders, and so
 * does the element's `exportSamples()`.
 */
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { preprocessColumns } from '../preprocess/preprocess-columns.ts';
import type { PreprocessSpec } from '../preprocess/types.ts';
import { readImage, imageTensor } from '../reference/image.ts';
import { readLabels } from '../reference/labels.ts';
import type { LabelledCrops } from './labelled-crops.ts';

/** The labelled columns of a folder, and how many photos and columns it held. */
export interface LabelledFolder {
  readonly crops: LabelledCrops;
  readonly photos: number;
  /** Columns a label marked unreadable (a hand over them, cut off by the picture edge). */
  readonly unreadable: number;
}

/**
 * Reads `dir/labels.json` and cuts every labelled photo into the model's column crops.
 *
 * @throws {InputError} `input/bad-argument` when the folder has no usable labels.json, a photo cannot be read or a
 *   digit is not 0–9
 */
export async function readLabelledFolder(dir: string, spec: PreprocessSpec): Promise<LabelledFolder> {
  if (spec.channels !== 1)
    throw new InputError(
      'input/bad-argument',
      `Fine-tuning reads grey crops; this model reads ${spec.channels} channels.`,
    );
  const images = await readLabels(join(dir, 'labels.json'));
  const per = spec.height * spec.width;
  const parts: Float32Array[] = [];
  const digits: number[] = [];
  const groups: number[] = [];
  let unreadable = 0;
  for (const [photo, image] of images.entries()) {
    if (image.digits.some((d) => d < 0 || d > 9))
      throw new InputError('input/bad-argument', `${image.path}: digits must be 0–9, got ${image.digits.join(',')}.`);
    const frame = imageTensor(await readImage(image.path));
    let values: Float32Array;
    try {
      const crops = preprocessColumns(frame, image.geometry, spec);
      values = (await crops.data()) as Float32Array;
      crops.dispose();
    } finally {
      frame.dispose();
    }
    image.digits.forEach((digit, c) => {
      if (image.readable[c] !== true) {
        unreadable++;
        return;
      }
      parts.push(values.subarray(c * per, (c + 1) * per));
      digits.push(digit);
      groups.push(photo);
    });
  }
  const x = new Float32Array(parts.length * per);
  parts.forEach((part, i) => x.set(part, i * per));
  return {
    crops: {
      count: digits.length,
      height: spec.height,
      width: spec.width,
      x,
      digits: Uint8Array.from(digits),
      groups: Uint32Array.from(groups),
    },
    photos: images.length,
    unreadable,
  };
}
