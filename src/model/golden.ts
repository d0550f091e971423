/**
 * Golden cases: inputs shipped in the contract with the outputs the model
 * must give on any backend. These helpers build a case's model input and
 * compute head values (the Node reference writes golden cases with them);
 * measuring a backend against them is `src/runtime/golden-check.ts`, shared
 * by the worker and `golden --check`.
 */
import * as tf from '@tensorflow/tfjs';
import type { GoldenCase, PngGoldenCaseInput } from '../contract/schema.ts';
import { preprocessColumns } from '../preprocess/index.ts';
import { NO_MARGINS, WHOLE_FRAME, type ColumnGeometry } from '../preprocess/types.ts';
import type { ClassifierModel } from './classifier-model.ts';
import type { ModelSource } from './source.ts';

/** Turns image file bytes into a [H, W, 3|4] pixel tensor (Node: pngjs; browser: createImageBitmap + fromPixels). */
export type ImageDecoder = (bytes: Uint8Array, path: string) => Promise<tf.Tensor3D>;

function base64ToFloat32(data: string): Float32Array {
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
  return input.photo === undefined ? { columns: 1, corners: WHOLE_FRAME, margins: NO_MARGINS } : { columns: input.photo.columns, corners: input.photo.corners, margins: NO_MARGINS };
}

/**
 * The model input of a golden case, [rows, height, width, channels] (one row, or one per column
 * of a photo case); the caller disposes it.
 *
 * @returns undefined when the case is a PNG and no decoder is given
 */
export async function goldenInput(model: ClassifierModel, goldenCase: GoldenCase, source: ModelSource | undefined, decode: ImageDecoder | undefined): Promise<tf.Tensor4D | undefined> {
  const { height, width, channels } = model.spec;
  if (goldenCase.input.kind === 'float32-base64') {
    return tf.tensor4d(base64ToFloat32(goldenCase.input.data), [1, height, width, channels]);
  }
  if (decode === undefined || source === undefined) return undefined;
  const frame = await decode(await source.readBytes(goldenCase.input.path), goldenCase.input.path);
  try {
    return preprocessColumns(frame, goldenGeometry(goldenCase.input), model.spec);
  } finally {
    frame.dispose();
  }
}

/** Every head's values for one model input, by head name. */
export async function headValues(model: ClassifierModel, input: tf.Tensor4D): Promise<Record<string, number[]>> {
  const outputs = model.predict(input);
  try {
    const values: Record<string, number[]> = {};
    for (const [name, tensor] of Object.entries(outputs)) values[name] = Array.from(await tensor.data());
    return values;
  } finally {
    for (const t of Object.values(outputs)) t.dispose();
  }
}

/**
 * The input builder for PNG golden cases that `measureGolden` (src/runtime/golden-check.ts) takes:
 * reads the PNG beside model.json, decodes it and preprocesses it (one column, or a photo's columns).
 */
export function pngGoldenInput(model: ClassifierModel, source: ModelSource, decode: ImageDecoder): (input: PngGoldenCaseInput) => Promise<tf.Tensor4D> {
  return async (pngInput) => {
    const input = await goldenInput(model, { input: pngInput, expected: {} }, source, decode);
    if (input === undefined) throw new Error(`unreachable: golden PNG ${pngInput.path} with a decoder gave no input`);
    return input;
  };
}
