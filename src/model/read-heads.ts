/**
 * Reading a model's outputs: every head's values by name, with the output
 * tensors disposed whatever happens. Every caller that runs a model (the
 * frame path, the golden check, the quantization measure, `golden`, `doctor`)
 * reads its outputs here.
 */
import * as tf from '@tensorflow/tfjs';
import { ColumnClassifierError, InferenceError } from '../errors.ts';
import type { ClassifierModel } from './classifier-model.ts';

/** Flattened output values per head name, batch-major. */
export type HeadValues = Record<string, Float32Array>;

/**
 * Reads every tensor's values by name, then disposes every tensor (also when a read fails).
 *
 * @param outputs - tensors by name; all disposed on return
 */
export async function readHeads(outputs: Readonly<Record<string, tf.Tensor>>): Promise<HeadValues> {
  try {
    const values: HeadValues = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      const data = await tensor.data();
      values[name] = data instanceof Float32Array ? data : Float32Array.from(data);
    }
    return values;
  } finally {
    for (const tensor of Object.values(outputs)) tensor.dispose();
  }
}

/**
 * One batched predict, read back by head name.
 *
 * @param model - a loaded model
 * @param batch - [rows, height, width, channels] as `model.spec` says; not disposed
 * @throws {InferenceError} `inference/failed` when TF.js fails, `inference/bad-output` for an output of the wrong shape
 */
export async function predictHeads(model: ClassifierModel, batch: tf.Tensor4D): Promise<HeadValues> {
  try {
    return await readHeads(model.predict(batch));
  } catch (error) {
    if (error instanceof ColumnClassifierError) throw error;
    throw new InferenceError('inference/failed', `Inference failed on ${tf.getBackend()}: ${String(error)}.`, {
      cause: error,
    });
  }
}
