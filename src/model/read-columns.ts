/**
 * The frame path: pixels → the shared preprocessing → one batched predict →
 * decode by head name. The worker, the Node reference pipeline, `doctor`'s
 * Node side and the warm-up all read frames through {@link readColumns}, so
 * "the same code runs in Node and in the worker" holds by construction.
 */
import { classifierDecode } from '../contract/model-kind.ts';
import * as tf from '@tensorflow/tfjs';
import { preprocessColumns, type PreprocessFrame } from '../preprocess/index.ts';
import type { ColumnGeometry } from '../preprocess/types.ts';
import type { ClassifierModel } from './classifier-model.ts';
import { decodeColumns, type ColumnReading } from './decode.ts';
import { predictHeads } from './read-heads.ts';

/**
 * A frame's pixels, [H, W, 3 or 4], values 0..255: a tensor (not disposed), or a function
 * that makes one (called inside the preprocessing's `tf.tidy`, so the tensor is freed and
 * its creation, e.g. `tf.browser.fromPixels`, counts as preprocessing).
 */
export type FramePixels = PreprocessFrame | (() => tf.Tensor3D);

/** `performance.now()` at each step of {@link readColumns}. */
export interface FrameMarks {
  readonly start: number;
  readonly preprocessed: number;
  /** After the predict and reading the values back. */
  readonly predicted: number;
  readonly decoded: number;
}

/** The columns of a frame, and when each step ended. */
export interface ColumnsRead {
  /** One reading per column, left to right. */
  readonly columns: ColumnReading[];
  readonly marks: FrameMarks;
}

/**
 * Reads every column of a frame.
 *
 * @param model - a loaded model (its contract gives the preprocessing and the decode rule)
 * @param frame - the pixels
 * @param geometry - where the columns are
 * @throws {InputError} for a frame or geometry that cannot be read
 * @throws {InferenceError} when inference fails or gives outputs of the wrong shape
 */
export async function readColumns(
  model: ClassifierModel,
  frame: FramePixels,
  geometry: ColumnGeometry,
): Promise<ColumnsRead> {
  const start = performance.now();
  const batch = tf.tidy(() => preprocessColumns(typeof frame === 'function' ? frame() : frame, geometry, model.spec));
  const preprocessed = performance.now();
  let values;
  try {
    values = await predictHeads(model, batch);
  } finally {
    batch.dispose();
  }
  const predicted = performance.now();
  const columns = decodeColumns(values, classifierDecode(model.contract), geometry.columns);
  return { columns, marks: { start, preprocessed, predicted, decoded: performance.now() } };
}
