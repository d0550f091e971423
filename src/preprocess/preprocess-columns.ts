/**
 * The one code path that turns a whole frame into a batch of model inputs.
 *
 * How (one path for every backend and every quad shape):
 * 1. cast to float32, grey = wR·R + wG·G + wB·B (`spec.grey`; alpha ignored);
 * 2. box pre-filter (`spec.prefilter`, default `box`): `tf.avgPool` by the
 *    integer downscale factor f (see {@link downscaleFactor}); the pooled pixel
 *    j covers source pixels [j·f, (j+1)·f), so pooled coordinates are source
 *    coordinates / f;
 * 3. one `tf.image.transform` samples every column at once: the columns sit
 *    side by side in a [height, columns · width] strip, and one projective
 *    map (output pixel centre → unit square of the inset quad → homography →
 *    pooled pixel coordinates with centres on integers) places every output
 *    pixel centre exactly where column i's pixel (c, r) belongs; `bilinear`
 *    blends the 4 neighbours, `nearest` takes the closest; samples outside
 *    the frame clamp to its edge. (A gather of JS-computed taps did the same
 *    ~10× slower on wasm.)
 * 4. the strip is split into [columns, height, width];
 * 5. value = min + (max − min) · grey / 255 (`spec.inputRange`), reshaped to
 *    [columns, height, width, 1] and repeated to 3 channels if asked.
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors.ts';
import { checkGeometry, insetHomography, insetQuad, quadSize } from './columns.ts';
import { GREY_WEIGHTS } from './grey.ts';
import { GreyCachedFrame, greyImage, type PreprocessFrame } from './frame-grey.ts';
import { DEFAULT_PREFILTER, type ColumnGeometry, type PreprocessSpec } from './types.ts';

/**
 * The integer box pre-filter factor for a frame of `frameHeight` × `frameWidth`
 * pixels: how many whole source pixels fall on one output pixel in the less
 * downscaled direction (so neither direction is over-blurred), at least 1.
 */
export function downscaleFactor(
  geometry: ColumnGeometry,
  spec: PreprocessSpec,
  frameHeight: number,
  frameWidth: number,
): number {
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
    throw new InputError(
      'input/bad-argument',
      `spec.grey must be one of ${Object.keys(GREY_WEIGHTS).join(', ')}, got ${String(spec.grey)}.`,
    );
  }
  if (spec.resize !== 'bilinear' && spec.resize !== 'nearest') {
    throw new InputError(
      'input/bad-argument',
      `spec.resize must be 'bilinear' or 'nearest', got ${String(spec.resize)}.`,
    );
  }
  if (!Number.isFinite(spec.inputRange.min) || !Number.isFinite(spec.inputRange.max)) {
    throw new InputError('input/bad-argument', 'spec.inputRange.min and .max must be finite numbers.');
  }
}

/** 3 × 3 row-major product a · b. */
function multiply(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out.push(
        (a[r * 3] ?? 0) * (b[c] ?? 0) + (a[r * 3 + 1] ?? 0) * (b[3 + c] ?? 0) + (a[r * 3 + 2] ?? 0) * (b[6 + c] ?? 0),
      );
    }
  }
  return out;
}

/**
 * The projective map from output pixels of the column strip to pixels of the
 * (pooled) frame, as `tf.image.transform`'s 8 parameters. The strip is all
 * columns side by side, [height, columns · width]: output pixel (x, y) has its
 * centre at u = (x + ½)/(N·width), v = (y + ½)/height in the inset quad, which
 * is exactly column ⌊x / width⌋'s pixel (x mod width, y) (see
 * {@link samplePoints}); the homography takes (u, v) to the normalized frame,
 * and X·W/f − ½ to pooled pixel coordinates with pixel centres on integers.
 */
function stripTransform(
  geometry: ColumnGeometry,
  spec: PreprocessSpec,
  factor: number,
  frameHeight: number,
  frameWidth: number,
): number[] {
  const stripWidth = geometry.columns * spec.width;
  const toUnit = [1 / stripWidth, 0, 0.5 / stripWidth, 0, 1 / spec.height, 0.5 / spec.height, 0, 0, 1];
  const toPixels = [frameWidth / factor, 0, -0.5, 0, frameHeight / factor, -0.5, 0, 0, 1];
  const m = multiply(toPixels, multiply([...insetHomography(geometry)], toUnit));
  const scale = m[8] ?? 1;
  return m.slice(0, 8).map((v) => v / scale);
}

/**
 * Cuts the columns of `geometry` out of `frame`, converts them to grey and
 * resizes them to the model input, exactly as the model contract says.
 *
 * @param input [H, W, 3 or 4] pixel values 0..255, any dtype (alpha is ignored), or such pixels in a
 *   {@link GreyCachedFrame} that converts them to grey once for several preprocessings. Not disposed.
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
export function preprocessColumns(input: PreprocessFrame, geometry: ColumnGeometry, spec: PreprocessSpec): tf.Tensor4D {
  const cached = input instanceof GreyCachedFrame ? input : undefined;
  const frame = input instanceof GreyCachedFrame ? input.pixels : input;
  if (frame.rank !== 3) {
    throw new InputError(
      'input/bad-argument',
      `preprocessColumns: frame must be rank 3 [H, W, C], got shape [${frame.shape.join(', ')}].`,
    );
  }
  const [frameHeight, frameWidth, frameChannels] = frame.shape;
  if (frameHeight === 0 || frameWidth === 0) {
    throw new InputError(
      'input/zero-size-frame',
      `preprocessColumns: the frame is ${frameWidth} × ${frameHeight}; wait until the source has pixels.`,
    );
  }
  if (frameChannels !== 3 && frameChannels !== 4) {
    throw new InputError(
      'input/bad-argument',
      `preprocessColumns: frame must have 3 (RGB) or 4 (RGBA) channels, got ${frameChannels}.`,
    );
  }
  checkGeometry(geometry);
  checkSpec(spec);

  const factor = downscaleFactor(geometry, spec, frameHeight, frameWidth);
  const transform = stripTransform(geometry, spec, factor, frameHeight, frameWidth);
  const { min, max } = spec.inputRange;
  const { columns } = geometry;

  return tf.tidy(() => {
    const grey = cached?.grey(spec.grey) ?? greyImage(frame, spec.grey);
    const pooled = factor > 1 ? tf.avgPool(grey, factor, factor, 'valid') : grey;
    // 'nearest' fill clamps a sample outside the frame to its edge, as a camera crop would.
    const strip = tf.image.transform(pooled, tf.tensor2d([transform], [1, 8], 'float32'), spec.resize, 'nearest', 0, [
      spec.height,
      columns * spec.width,
    ]);
    const scaled = tf.add(tf.mul(strip, (max - min) / 255), min);
    // [1, h, N·w, 1] → [N, h, w, 1]: split the strip into its columns.
    const single = tf.transpose(tf.reshape(scaled, [spec.height, columns, spec.width, 1]), [1, 0, 2, 3]);
    return spec.channels === 3 ? tf.tile(single, [1, 1, 1, 3]) : single;
  }) as tf.Tensor4D;
}
