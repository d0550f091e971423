/** Calling another wasm kernel from inside a kernel (no engine, no tensors: TensorInfo in, TensorInfo out). */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Runs the wasm kernel `name`; the caller disposes the result with `backend.disposeData`. */
export function callWasmKernel(
  name: string,
  inputs: tf.NamedTensorInfoMap,
  backend: BackendWasm,
  attrs: tf.NamedAttrMap,
): tf.TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`The wasm backend has no ${name} kernel.`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`The wasm kernel ${name} returned several outputs.`);
  return out;
}
