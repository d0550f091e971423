/**
 * The input hypotheses a diagnosis tries: value range × colour order ×
 * resize method, each turned into a model input by the shared preprocessing
 * module (so a winning hypothesis is exactly what a contract can ask for).
 */
import * as tf from '@tensorflow/tfjs';
import { preprocessColumns } from '../preprocess/index.ts';
import type { ColumnGeometry, Prefilter, ResizeMethod } from '../preprocess/types.ts';

/** The value ranges a Keras model is usually trained on. */
export const RANGES = [
  { name: '[0,1]', min: 0, max: 1 },
  { name: '[-1,1]', min: -1, max: 1 },
  { name: '[0,255]', min: 0, max: 255 },
] as const;

/** Channel orders: grey (repeated when the model takes 3 channels), or colour as RGB or BGR (OpenCV). */
export type ColourOrder = 'grey' | 'rgb' | 'bgr';

/** One way of feeding the model. */
export interface Hypothesis {
  readonly range: { readonly name: string; readonly min: number; readonly max: number };
  readonly colour: ColourOrder;
  readonly resize: ResizeMethod;
  readonly prefilter: Prefilter;
}

/** A short label, e.g. `[0,1] grey bilinear+box`. */
export function hypothesisLabel(h: Hypothesis): string {
  return `${h.range.name} ${h.colour} ${h.resize}${h.prefilter === 'box' ? '+box' : ''}`;
}

/**
 * Every hypothesis for a model with `channels` input channels: colour orders
 * only exist for 3-channel inputs.
 */
export function hypothesesFor(channels: number): Hypothesis[] {
  const colours: ColourOrder[] = channels === 3 ? ['grey', 'rgb', 'bgr'] : ['grey'];
  const out: Hypothesis[] = [];
  for (const range of RANGES) {
    for (const colour of colours) {
      for (const resize of ['bilinear', 'nearest'] as const) {
        for (const prefilter of ['box', 'none'] as const) out.push({ range, colour, resize, prefilter });
      }
    }
  }
  return out;
}

/**
 * The model input for one hypothesis: [columns, height, width, channels].
 *
 * @param frame - [H, W, 3|4] pixels 0..255; not disposed
 */
export function feedFor(
  frame: tf.Tensor3D,
  geometry: ColumnGeometry,
  h: Hypothesis,
  size: { height: number; width: number; channels: 1 | 3 },
): tf.Tensor4D {
  const spec = {
    height: size.height,
    width: size.width,
    resize: h.resize,
    prefilter: h.prefilter,
    inputRange: { min: h.range.min, max: h.range.max },
  };
  if (h.colour === 'grey')
    return preprocessColumns(frame, geometry, { ...spec, channels: size.channels, grey: 'bt601' });
  // One channel at a time through the same crop and resize: a frame whose R, G and B all hold that channel has it as its grey.
  return tf.tidy(() => {
    const order = h.colour === 'rgb' ? [0, 1, 2] : [2, 1, 0];
    const [height, width] = frame.shape;
    const planes = order.map((k) => {
      const plane = tf.tile(tf.slice(frame, [0, 0, k], [height, width, 1]), [1, 1, 3]) as tf.Tensor3D;
      return preprocessColumns(plane, geometry, { ...spec, channels: 1, grey: 'mean' });
    });
    return tf.concat(planes, 3);
  });
}
