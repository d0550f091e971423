/**
 * Registers the gradient kernels the `wasm` backend lacks for training a CNN
 * in Node. Call before the first gradient is computed; idempotent.
 *
 * TF.js 4.22's wasm backend lacks Conv2DBackpropFilter, its MaxPoolGrad
 * disagrees with `cpu`, and its Conv2DBackpropInput is slow: all three are
 * registered here (test/node/kernels.test.ts checks each against `cpu`).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter.ts';
import { maxPoolGradWasm } from './max-pool-grad.ts';
import { makeConv2dBackpropInputWasm } from './conv2d-backprop-input.ts';

/** Names of the kernels this module registers for `wasm`. */
export const REGISTERED_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad'] as const;

let registered = false;

/** Registers the wasm gradient kernels (replacing the stock MaxPoolGrad and Conv2DBackpropInput); idempotent. */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2dBackpropFilterWasm,
    });
  }
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stockInput === undefined)
    throw new Error('The wasm backend has no Conv2DBackpropInput to fall back on for strided convolutions.');
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: makeConv2dBackpropInputWasm(stockInput.kernelFunc),
  });
  if (tf.getKernel('MaxPoolGrad', 'wasm') !== undefined) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradWasm });
}
