import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useNodeBackend } from '../../src/reference/backend.ts';
import { preprocessColumns, samplePoints } from '../../src/preprocess/index.ts';
import type { ColumnGeometry, PreprocessSpec } from '../../src/preprocess/types.ts';

/**
 * In 0–255 units. TF.js maps coordinates in float32 (~1e-5 px of error at this
 * size) and this test image changes by up to ~250 per pixel, so ~3e-3 is the
 * honest bound; 1e-2 is 4e-5 of the value range.
 */
const SAMPLING_EPSILON = 1e-2;

/** Bilinear sampling of a grey image at normalized points, in plain float64 JS: the definition preprocessColumns must meet. */
function sampleDirectly(
  grey: Float32Array,
  height: number,
  width: number,
  xs: Float64Array,
  ys: Float64Array,
): Float64Array {
  const out = new Float64Array(xs.length);
  const at = (x: number, y: number) => grey[y * width + x] ?? Number.NaN;
  for (let k = 0; k < xs.length; k++) {
    const px = Math.min(Math.max((xs[k] ?? 0) * width - 0.5, 0), width - 1);
    const py = Math.min(Math.max((ys[k] ?? 0) * height - 0.5, 0), height - 1);
    const x0 = Math.floor(px);
    const y0 = Math.floor(py);
    const x1 = Math.min(x0 + 1, width - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const fx = px - x0;
    const fy = py - y0;
    out[k] = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x1, y0)) + fy * ((1 - fx) * at(x0, y1) + fx * at(x1, y1));
  }
  return out;
}

describe('preprocessColumns sampling', () => {
  it('samples every column pixel exactly where samplePoints puts its centre (perspective quad, bilinear)', async () => {
    await useNodeBackend('wasm');
    const height = 90;
    const width = 160;
    const grey = Float32Array.from({ length: height * width }, (_, i) => (i * 7919) % 251);
    const frame = tf.tidy(() => tf.tile(tf.tensor3d(grey, [height, width, 1]), [1, 1, 3]) as tf.Tensor3D);
    const geometry: ColumnGeometry = {
      columns: 3,
      corners: {
        topLeft: { x: 0.1, y: 0.12 },
        topRight: { x: 0.88, y: 0.05 },
        bottomRight: { x: 0.93, y: 0.9 },
        bottomLeft: { x: 0.04, y: 0.8 },
      },
      margins: { horizontal: 0.02, vertical: 0.06 },
    };
    // Small output so the box pre-filter stays at factor 1 and the comparison is pure sampling.
    const spec: PreprocessSpec = {
      height: 16,
      width: 8,
      channels: 1,
      grey: 'bt601',
      resize: 'bilinear',
      inputRange: { min: 0, max: 255 },
      prefilter: 'none',
    };
    const before = tf.memory().numTensors;
    const batch = preprocessColumns(frame, geometry, spec);
    const computed = await batch.data();
    batch.dispose();
    assert.equal(tf.memory().numTensors, before);
    frame.dispose();
    const { xs, ys } = samplePoints(geometry, spec.height, spec.width);
    // The grey of a grey pixel is the pixel: bt601 weights sum to 1.
    const expected = sampleDirectly(grey, height, width, xs, ys);
    let worst = 0;
    expected.forEach((value, k) => {
      worst = Math.max(worst, Math.abs(value - (computed[k] ?? Number.NaN)));
    });
    assert.ok(worst <= SAMPLING_EPSILON, `largest difference ${worst}`);
  });
});
