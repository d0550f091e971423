/**
 * One frame to digits: preprocess (the shared module) → one batched predict
 * → decode by head name. The same function runs in the worker and in the
 * Node reference pipeline.
 */
import type * as tf from '@tensorflow/tfjs';
import { preprocessColumns } from '../preprocess/index.ts';
import type { ColumnGeometry } from '../preprocess/types.ts';
import type { ClassifierModel } from './classifier-model.ts';
import type { ColumnReading } from './decode.ts';

/**
 * Reads every column of a frame.
 *
 * @param model - a loaded model (its contract gives the preprocessing)
 * @param frame - [H, W, 3 or 4] pixel values 0..255; not disposed
 * @param geometry - where the columns are
 * @returns one reading per column, left to right
 */
export async function readColumns(model: ClassifierModel, frame: tf.Tensor3D, geometry: ColumnGeometry): Promise<ColumnReading[]> {
  const batch = preprocessColumns(frame, geometry, model.spec);
  try {
    return await model.classify(batch);
  } finally {
    batch.dispose();
  }
}
