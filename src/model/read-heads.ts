/**
 * Reading a model's outputs: every head's values by name, with the output
 * tensors disposed whatever happens. Every caller that runs a model (the
 * frame path, the golden check, the quantization measure, `golden`, `doctor`)
 * reads its outputs here.
 */
import * as tf from '@tensorflow/tfjs';
import { ColumnClassifierError, InferenceError } from '../errors.ts';
import type { ClassifierModel } from './classifier-model.ts';

/** TF.js's words when the backend has no kernel for an op: "Kernel 'Tanh' not registered for backend 'wasm'". */
const MISSING_KERNEL = /Kernel '(\w+)' not registered for backend '(\w+)'/;

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
    const missing = MISSING_KERNEL.exec(String(error));
    if (missing !== null) {
      // The worker's bundle registers only the kernels of the models it was built for.
      const [, kernel, backend] = missing;
      throw new InferenceError(
        'inference/failed',
        `The model runs the TF.js kernel "${kernel}", which the ${backend} backend here does not have. The worker bundle registers only the kernels of the models worker/tfjs-kernels.json was derived from: list this model in scripts/worker-kernels.ts, run \`npx tsx scripts/worker-kernels.ts --write\` and build again.`,
        { cause: error, details: { kernel, backend } },
      );
    }
    throw new InferenceError('inference/failed', `Inference failed on ${tf.getBackend()}: ${String(error)}.`, {
      cause: error,
    });
  }
}
