/**
 * A frame that converts itself to grey once. Reading a frame whose soroban the localizer finds preprocesses it four
 * times (the localizer's looks, the column count's strip, then the columns), and the grey conversion of the
 * whole frame was three quarters of each preprocessing's time on wasm (3.4 of 4.4 ms for a 640 × 640 frame in Node).
 */
import * as tf from '@tensorflow/tfjs';
import { GREY_WEIGHTS } from './grey.ts';
import type { GreyFormula } from './types.ts';

/** The grey image of `pixels` ([H, W, 3|4], 0..255) by `formula`: [1, H, W, 1] float32, 0..255. */
export function greyImage(pixels: tf.Tensor3D, formula: GreyFormula): tf.Tensor4D {
  const [height, width, channels] = pixels.shape;
  return tf.tidy(() => {
    const [wr, wg, wb] = GREY_WEIGHTS[formula];
    // A 1×1 convolution (alpha weighted 0) is several times faster on wasm than a broadcast multiply and a sum.
    const weights = channels === 4 ? [wr, wg, wb, 0] : [wr, wg, wb];
    const flat = tf.reshape<tf.Rank.R4>(tf.cast(pixels, 'float32'), [1, height, width, channels]);
    return tf.conv2d(flat, tf.tensor4d(weights, [1, 1, channels, 1], 'float32'), 1, 'valid');
  });
}

/**
 * A frame's pixels with its grey images, each computed the first time a preprocessing asks for it. Pass it where a
 * frame tensor goes (`preprocessColumns`, `locate`, `readColumns`) to convert once; `dispose()` frees the grey
 * images, not the pixels (their owner frees those).
 */
export class GreyCachedFrame {
  private readonly greys = new Map<GreyFormula, tf.Tensor4D>();

  constructor(readonly pixels: tf.Tensor3D) {}

  /** The grey image by `formula`, kept until {@link dispose} (it survives the caller's `tf.tidy`). */
  grey(formula: GreyFormula): tf.Tensor4D {
    let grey = this.greys.get(formula);
    if (grey === undefined) {
      grey = tf.keep(greyImage(this.pixels, formula));
      this.greys.set(formula, grey);
    }
    return grey;
  }

  dispose(): void {
    for (const grey of this.greys.values()) grey.dispose();
    this.greys.clear();
  }
}

/** A frame as the preprocessing takes it: its pixels, or its pixels with their grey images. */
export type PreprocessFrame = tf.Tensor3D | GreyCachedFrame;
