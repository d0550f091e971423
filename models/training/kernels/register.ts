/**
 * Registers the gradient kernels the `wasm` backend lacks for training a CNN
 * in Node. Call before the first gradient is computed; idempotent.
 *
 * TF.js 4.22's wasm backend lacks Conv2DBackpropFilter, and its MaxPoolGrad
 * disagrees with `cpu`: both are registered here. Its Conv2DBackpropInput is
 * correct and kept (test/node/kernels.test.ts checks all three against `cpu`).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter.ts';
import { maxPoolGradWasm } from './max-pool-grad.ts';

/** Names of the kernels this module registers for `wasm`. */
export const REGISTERED_KERNELS = ['Conv2DBackpropFilter', 'MaxPoolGrad'] as const;

let registered = false;

/** Registers the wasm gradient kernels (replacing the stock MaxPoolGrad); idempotent. */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm });
  }
  if (tf.getKernel('MaxPoolGrad', 'wasm') !== undefined) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradWasm });
}
