/**
 * Conv2DBackpropFilter for the `wasm` backend, which TF.js 4.22 lacks (so the
 * stock wasm backend cannot train a convolution).
 *
 * The filter gradient is itself a convolution with the batch as the reduction
 * axis: dW[kh, kw, ci, co] = Σ_{b, oy, ox} x[b, oy·s + kh − pt, ox·s + kw − pl, ci] · dy[b, oy, ox, co].
 * With x' = transpose(x, [3, 1, 2, 0]) ([ci, H, W, B]) and
 * f' = transpose(dy, [1, 2, 0, 3]) ([oh, ow, B, co]), a forward wasm Conv2D
 * (dilation = the original stride, explicit padding) gives [ci, kh, kw, co],
 * transposed back to [kh, kw, ci, co]. Only wasm kernels run (XNNPACK), no
 * data leaves the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callWasmKernel as run } from './call-kernel.ts';

type Info = tf.TensorInfo;

/** The kernel function (exported for tests and for registration). */
export const conv2dBackpropFilterWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${dataFormat}.`);
  }
  const xShape = x.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const [, height, width] = xShape;
  // Pad the bottom/right so the dilated "filter" (dy) leaves exactly kh × kw outputs; a negative
  // value (rows the strided forward pass never read) is handled by cropping after the convolution.
  const bottom = kh + (oh - 1) * sh - height - top;
  const right = kw + (ow - 1) * sw - width - left;
  const disposables: Info[] = [];
  try {
    const xT = run('Transpose', { x }, wasm, { perm: [3, 1, 2, 0] });
    disposables.push(xT);
    const dyT = run('Transpose', { x: dy }, wasm, { perm: [1, 2, 0, 3] });
    disposables.push(dyT);
    const conv = run('Conv2D', { x: xT, filter: dyT }, wasm, {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, Math.max(0, bottom)],
        [left, Math.max(0, right)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [sh, sw],
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap);
    disposables.push(conv);
    let cropped = conv;
    if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
      cropped = run('Slice', { x: conv }, wasm, {
        begin: [0, 0, 0, 0],
        size: [conv.shape[0] ?? 0, kh, kw, conv.shape[3] ?? 0],
      });
      disposables.push(cropped);
    }
    return run('Transpose', { x: cropped }, wasm, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of disposables) wasm.disposeData(t.dataId);
  }
};
