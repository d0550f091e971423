/**
 * MaxPoolGrad for the `wasm` backend in plain JS. TF.js 4.22's wasm build
 * registers a MaxPoolGrad whose result disagrees with the `cpu` backend
 * (test/node/kernels.test.ts showed every value off), so it is replaced.
 *
 * dx[b, y, x, c] = Σ over the pooling windows whose maximum is x[b, y, x, c]
 * (first maximum in row-major window order, as the cpu backend breaks ties)
 * of dy at that window. Reads and writes the wasm heap directly.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The kernel function (exported for tests and for registration). */
export const maxPoolGradWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
  } = info;
  const { top, left } = info.padInfo;
  const out = wasm.makeOutput(input.shape, 'float32');
  // Views are taken after makeOutput: allocating may grow (and detach) the heap.
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    const xBase = b * inHeight * inWidth * inChannels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(inHeight, y0 + filterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(inWidth, x0 + filterWidth);
        const gBase = ((b * outHeight + oy) * outWidth + ox) * inChannels;
        for (let c = 0; c < inChannels; c++) {
          let best = -Infinity;
          let at = -1;
          for (let y = yStart; y < yEnd; y++) {
            for (let xx = xStart; xx < xEnd; xx++) {
              const i = xBase + (y * inWidth + xx) * inChannels + c;
              const v = x[i] ?? -Infinity;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] = (dx[at] ?? 0) + (g[gBase + c] ?? 0);
        }
      }
    }
  }
  return out;
};
