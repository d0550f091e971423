/**
 * Conv2DBackpropInput for the `wasm` backend as a forward (XNNPACK) Conv2D.
 *
 * The stock wasm kernel is correct but was the slowest step of training
 * (≈ 60 % of a step's kernel time, measured with tf.profile). For stride 1:
 * dx = dy, padded by (kh − 1 − top) above and (H − oh + top) below (same for
 * width), correlated with the filter flipped in space and with in/out
 * channels swapped. Other strides or dilations use the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel as run } from './call-kernel.ts';

type Info = tf.TensorInfo;

/**
 * Builds the kernel function; `fallback` (the stock kernel) handles strides
 * and dilations other than 1.
 */
export function makeConv2dBackpropInputWasm(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as BackendWasm;
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || (dataFormat !== undefined && dataFormat !== 'NHWC')) {
      return fallback(args);
    }
    const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth } = info;
    const { top, left } = info.padInfo;
    const disposables: Info[] = [];
    try {
      const flipped = run('Reverse', { x: filter }, wasm, { dims: [0, 1] });
      disposables.push(flipped);
      const swapped = run('Transpose', { x: flipped }, wasm, { perm: [0, 1, 3, 2] });
      disposables.push(swapped);
      return run('Conv2D', { x: dy, filter: swapped }, wasm, {
        strides: [1, 1],
        pad: [
          [0, 0],
          [kh - 1 - top, inHeight - outHeight + top],
          [kw - 1 - left, inWidth - outWidth + left],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [1, 1],
        dimRoundingMode: undefined,
      } as unknown as tf.NamedAttrMap);
    } finally {
      for (const t of disposables) wasm.disposeData(t.dataId);
    }
  };
}
