/**
 * The golden path: a golden case (inputs shipped in the contract with the
 * outputs the model must give on any backend) turned into a model input, and
 * a model's head values on it. The worker's self-check, `golden`, `inspect`,
 * `quantize` and the tests all go through {@link goldenInput}; only the image
 * decoder differs (Node: pngjs; worker: createImageBitmap and a 2D canvas).
 */
import * as tf from '@tensorflow/tfjs';
import type { GoldenCase, PngGoldenCaseInput } from '../contract/schema.ts';
import { preprocessColumns } from '../preprocess/index.ts';
import { NO_MARGINS, WHOLE_FRAME, type ColumnGeometry } from '../preprocess/types.ts';
import type { ClassifierModel } from './classifier-model.ts';
import { predictHeads, type HeadValues } from './read-heads.ts';
import { LoadError } from '../errors.ts';
import { ModelBudget } from './model-budget.ts';
import { pngSize } from './png-size.ts';
import type { ModelSource } from './source.ts';

/** Turns image file bytes into a [H, W, 3|4] pixel tensor (Node: pngjs; browser: createImageBitmap + fromPixels). */
export type ImageDecoder = (bytes: Uint8Array, path: string) => Promise<tf.Tensor3D>;

/** Decodes the contract's `float32-base64` (little-endian, as every platform here is). */
export function base64ToFloat32(data: string): Float32Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Encodes float32 values as the contract's `float32-base64` (little-endian, as every platform here is). */
export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Where the columns of a PNG golden case are: the whole image as one column, or the photo's bead area. */
export function goldenGeometry(input: PngGoldenCaseInput): ColumnGeometry {
  return input.photo === undefined
    ? { columns: 1, corners: WHOLE_FRAME, margins: NO_MARGINS }
    : { columns: input.photo.columns, corners: input.photo.corners, margins: NO_MARGINS };
}

/**
 * The model input of a golden case, [rows, height, width, channels] (one row, or one per column
 * of a photo case); the caller disposes it.
 *
 * @param source - where a `png` case's file is read from (beside model.json)
 * @param decode - how image bytes become pixels on this platform
 */
export async function goldenInput(
  model: ClassifierModel,
  goldenCase: Pick<GoldenCase, 'input'>,
  source: ModelSource,
  decode: ImageDecoder,
): Promise<tf.Tensor4D> {
  const { height, width, channels } = model.spec;
  if (goldenCase.input.kind === 'float32-base64') {
    return tf.tensor4d(base64ToFloat32(goldenCase.input.data), [1, height, width, channels]);
  }
  const { path } = goldenCase.input;
  const { maxModelBytes } = model.inspection;
  const limit = new ModelBudget(maxModelBytes, model.inspection.source).limit(`golden image ${path}`);
  const bytes = await source.readBytes(path, { limit });
  const size = pngSize(bytes);
  // Decoded pixels are RGBA: what the decoder would allocate counts against the model's limit too.
  if (size !== undefined && size.width * size.height * 4 > maxModelBytes) {
    throw new LoadError(
      'load/too-large',
      `Golden image ${path} is ${size.width} × ${size.height} pixels: decoded, it would take ${size.width * size.height * 4} bytes, more than the loader's limit of ${maxModelBytes} bytes. It is not decoded. A golden image needs only the pixels its case reads; if it really must be this large, raise the limit with the maxModelBytes option.`,
      { details: { path, width: size.width, height: size.height, maxModelBytes } },
    );
  }
  const frame = await decode(bytes, path);
  try {
    return preprocessColumns(frame, goldenGeometry(goldenCase.input), model.spec);
  } finally {
    frame.dispose();
  }
}

/** Every head's values on a golden case's input, by head name (what the case's `expected` is compared with). */
export async function goldenHeadValues(
  model: ClassifierModel,
  goldenCase: Pick<GoldenCase, 'input'>,
  source: ModelSource,
  decode: ImageDecoder,
): Promise<HeadValues> {
  const input = await goldenInput(model, goldenCase, source, decode);
  try {
    return await predictHeads(model, input);
  } finally {
    input.dispose();
  }
}

/** {@link goldenHeadValues} as plain numbers, for writing a contract's `expected`. */
export async function goldenOutputs(
  model: ClassifierModel,
  goldenCase: Pick<GoldenCase, 'input'>,
  source: ModelSource,
  decode: ImageDecoder,
): Promise<Record<string, number[]>> {
  const values = await goldenHeadValues(model, goldenCase, source, decode);
  return Object.fromEntries(Object.entries(values).map(([name, v]) => [name, Array.from(v)]));
}
