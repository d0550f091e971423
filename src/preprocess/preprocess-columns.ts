/**
 * The one code path that turns a whole frame into a batch of model inputs.
 *
 * How (one path for every backend and every quad shape):
 * 1. cast to float32, drop alpha, grey = wR·R + wG·G + wB·B (`spec.grey`);
 * 2. box pre-filter (`spec.prefilter`, default `box`): `tf.avgPool` by the
 *    integer downscale factor f (see {@link downscaleFactor}); the pooled pixel
 *    j covers source pixels [j·f, (j+1)·f), so pooled coordinates are source
 *    coordinates / f;
 * 3. the sample position of every output pixel centre is computed in plain JS
 *    (float64) through the homography unit square → inset quad (geometry, not
 *    pixel data, so it is identical on every backend), converted to pixel
 *    coordinates with pixel centres at +½, clamped to the image edge;
 * 4. `bilinear`: the 4 neighbours are `tf.gather`ed from the flattened grey
 *    image and blended with JS-computed weights; `nearest`: the containing
 *    pixel is gathered;
 * 5. value = min + (max − min) · grey / 255 (`spec.inputRange`), reshaped to
 *    [columns, height, width, 1] and repeated to 3 channels if asked.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors.ts';
import { checkGeometry, insetQuad, quadSize, samplePoints } from './columns.ts';
import { GREY_WEIGHTS } from './grey.ts';
import { DEFAULT_PREFILTER, type ColumnGeometry, type PreprocessSpec } from './types.ts';

/**
 * The integer box pre-filter factor for a frame of `frameHeight` × `frameWidth`
 * pixels: how many whole source pixels fall on one output pixel in the less
 * downscaled direction (so neither direction is over-blurred), at least 1.
 */
export function downscaleFactor(geometry: ColumnGeometry, spec: PreprocessSpec, frameHeight: number, frameWidth: number): number {
  if ((spec.prefilter ?? DEFAULT_PREFILTER) === 'none') return 1;
  const size = quadSize(insetQuad(geometry), frameWidth, frameHeight);
  const perOutputX = size.width / geometry.columns / spec.width;
  const perOutputY = size.height / spec.height;
  return Math.max(1, Math.floor(Math.min(perOutputX, perOutputY, frameHeight, frameWidth)));
}

function checkSpec(spec: PreprocessSpec): void {
  for (const key of ['height', 'width'] as const) {
    if (!Number.isInteger(spec[key]) || spec[key] < 1) {
      throw new InputError('input/bad-argument', `spec.${key} must be an integer ≥ 1, got ${String(spec[key])}.`);
    }
  }
  if (spec.channels !== 1 && spec.channels !== 3) {
    throw new InputError('input/bad-argument', `spec.channels must be 1 or 3, got ${String(spec.channels)}.`);
  }
  if (!(spec.grey in GREY_WEIGHTS)) {
    throw new InputError('input/bad-argument', `spec.grey must be one of ${Object.keys(GREY_WEIGHTS).join(', ')}, got ${String(spec.grey)}.`);
  }
  if (spec.resize !== 'bilinear' && spec.resize !== 'nearest') {
    throw new InputError('input/bad-argument', `spec.resize must be 'bilinear' or 'nearest', got ${String(spec.resize)}.`);
  }
  if (!Number.isFinite(spec.inputRange.min) || !Number.isFinite(spec.inputRange.max)) {
    throw new InputError('input/bad-argument', 'spec.inputRange.min and .max must be finite numbers.');
  }
}

/** Gather indices and weights for every output pixel (pure JS); xs, ys are fractions of the (pooled) image, pixel centres at +½. */
function sampleTaps(
  xs: Float64Array,
  ys: Float64Array,
  height: number,
  width: number,
  method: PreprocessSpec['resize'],
): { indices: Int32Array; weights: Float32Array; taps: number } {
  const n = xs.length;
  const clampX = (v: number): number => (v < 0 ? 0 : v > width - 1 ? width - 1 : v);
  const clampY = (v: number): number => (v < 0 ? 0 : v > height - 1 ? height - 1 : v);
  if (method === 'nearest') {
    const indices = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const px = clampX(Math.floor((xs[k] ?? 0) * width));
      const py = clampY(Math.floor((ys[k] ?? 0) * height));
      indices[k] = py * width + px;
    }
    return { indices, weights: new Float32Array(0), taps: 1 };
  }
  const indices = new Int32Array(4 * n);
  const weights = new Float32Array(4 * n);
  for (let k = 0; k < n; k++) {
    const px = clampX((xs[k] ?? 0) * width - 0.5);
    const py = clampY((ys[k] ?? 0) * height - 0.5);
    const x0 = Math.floor(px);
    const y0 = Math.floor(py);
    const x1 = Math.min(x0 + 1, width - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const fx = px - x0;
    const fy = py - y0;
    indices[k] = y0 * width + x0;
    indices[n + k] = y0 * width + x1;
    indices[2 * n + k] = y1 * width + x0;
    indices[3 * n + k] = y1 * width + x1;
    weights[k] = (1 - fx) * (1 - fy);
    weights[n + k] = fx * (1 - fy);
    weights[2 * n + k] = (1 - fx) * fy;
    weights[3 * n + k] = fx * fy;
  }
  return { indices, weights, taps: 4 };
}

/**
 * Cuts the columns of `geometry` out of `frame`, converts them to grey and
 * resizes them to the model input, exactly as the model contract says.
 *
 * @param frame [H, W, 3 or 4] pixel values 0..255, any dtype (alpha is ignored). Not disposed.
 * @param geometry where the columns are (normalized corners, margins, column count)
 * @param spec the model's input spec (size, channels, grey formula, resize, input range, pre-filter)
 * @returns [columns, spec.height, spec.width, spec.channels] float32 in spec.inputRange; the caller disposes it
 * @throws InputError `input/zero-size-frame`, `input/bad-geometry`, `input/bad-argument`
 *
 * ```ts
 * const batch = preprocessColumns(frame, { columns: 13, corners, margins: NO_MARGINS },
 *   { height: 128, width: 64, channels: 1, grey: 'bt601', resize: 'bilinear', inputRange: { min: 0, max: 1 } });
 * ```
 */
export function preprocessColumns(frame: tf.Tensor3D, geometry: ColumnGeometry, spec: PreprocessSpec): tf.Tensor4D {
  if (frame.rank !== 3) {
    throw new InputError('input/bad-argument', `preprocessColumns: frame must be rank 3 [H, W, C], got shape [${frame.shape.join(', ')}].`);
  }
  const [frameHeight, frameWidth, frameChannels] = frame.shape;
  if (frameHeight === 0 || frameWidth === 0) {
    throw new InputError('input/zero-size-frame', `preprocessColumns: the frame is ${frameWidth} × ${frameHeight}; wait until the source has pixels.`);
  }
  if (frameChannels !== 3 && frameChannels !== 4) {
    throw new InputError('input/bad-argument', `preprocessColumns: frame must have 3 (RGB) or 4 (RGBA) channels, got ${frameChannels}.`);
  }
  checkGeometry(geometry);
  checkSpec(spec);

  const factor = downscaleFactor(geometry, spec, frameHeight, frameWidth);
  const pooledHeight = Math.floor(frameHeight / factor);
  const pooledWidth = Math.floor(frameWidth / factor);
  const { xs, ys } = samplePoints(geometry, spec.height, spec.width);
  // Pooled pixel j covers source [j·f, (j+1)·f): normalized x maps to x·W/f pooled pixels.
  // The remainder W mod f is dropped by the 'valid' pool; its few edge samples clamp.
  const scaleX = frameWidth / factor / pooledWidth;
  const scaleY = frameHeight / factor / pooledHeight;
  for (let k = 0; k < xs.length; k++) {
    xs[k] = (xs[k] ?? 0) * scaleX;
    ys[k] = (ys[k] ?? 0) * scaleY;
  }
  const { indices, weights, taps } = sampleTaps(xs, ys, pooledHeight, pooledWidth, spec.resize);
  const count = xs.length;
  const { min, max } = spec.inputRange;

  return tf.tidy(() => {
    const rgb = frameChannels === 4 ? tf.slice(frame, [0, 0, 0], [frameHeight, frameWidth, 3]) : frame;
    const [wr, wg, wb] = GREY_WEIGHTS[spec.grey];
    const grey = tf.sum(tf.mul(tf.cast(rgb, 'float32'), tf.tensor1d([wr, wg, wb], 'float32')), 2);
    const pooled =
      factor > 1
        ? tf.avgPool(tf.reshape<tf.Rank.R4>(grey, [1, frameHeight, frameWidth, 1]), factor, factor, 'valid')
        : grey;
    const flat = tf.reshape(pooled, [pooledHeight * pooledWidth]);
    const gathered = tf.gather(flat, tf.tensor1d(indices, 'int32'));
    const sampled =
      taps === 1
        ? gathered
        : tf.sum(tf.mul(tf.reshape(gathered, [taps, count]), tf.tensor2d(weights, [taps, count], 'float32')), 0);
    const scaled = tf.add(tf.mul(sampled, (max - min) / 255), min);
    const single = tf.reshape(scaled, [geometry.columns, spec.height, spec.width, 1]);
    return spec.channels === 3 ? tf.tile(single, [1, 1, 1, 3]) : single;
  }) as tf.Tensor4D;
}
