/**
 * The localizer: grey side × side × 1 in [0, 1] (a window of the frame stretched to a square), a
 * Rescaling layer inside, conv + max-pool blocks, flattened features (the corners are positions; a
 * global average would throw them away), and three named heads:
 * - `corners` (linear, [B, 8]): the bead area's topLeft, topRight, bottomRight, bottomLeft (x, y) in
 *   window coordinates (0..1 inside the window);
 * - `presence` (sigmoid, [B, 1]): a whole soroban is in the window;
 * - `count` (softmax, [B, 21]): its column count, 1..21.
 */
import * as tf from '@tensorflow/tfjs';
import { MAX_COLUMN_COUNT } from '../../../src/localize/limits.ts';

/** Input side of the localizer. */
export const LOCALIZER_SIDE = 96;

/** Layer names of the heads (the output names its contract binds). */
export const LOCALIZER_HEADS = { corners: 'corners', presence: 'presence', count: 'count' } as const;

/** Architecture knobs (the tests build a tiny one). */
export interface LocalizerModelOptions {
  readonly filters: readonly number[];
  readonly dense: number;
  readonly side?: number;
  readonly seed?: number;
}

/**
 * Five blocks (96 → 3). Measured on this machine (wasm, batch 32): 8-16-24-48-64 trained 73 windows/s against
 * 22/s at 128 × 128 with 12-20-32-48-64 (the first two blocks' filter gradients were most of a step); run 1 used
 * 8-16-24-48-64 with dense 64, run 2 widens the cheap late blocks (3 × 3 and 6 × 6) and the dense layer.
 */
export const LOCALIZER_ARCHITECTURE: LocalizerModelOptions = { filters: [8, 16, 32, 64, 96], dense: 96 };

/** Builds an untrained localizer. */
export function buildLocalizer(options: LocalizerModelOptions = LOCALIZER_ARCHITECTURE): tf.LayersModel {
  const side = options.side ?? LOCALIZER_SIDE;
  const seed = options.seed ?? 1;
  const input = tf.input({ shape: [side, side, 1], name: 'image' });
  let x = tf.layers.rescaling({ scale: 2, offset: -1, name: 'rescaling' }).apply(input) as tf.SymbolicTensor;
  options.filters.forEach((filters, i) => {
    x = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: `conv${i + 1}`,
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({
      units: options.dense,
      activation: 'relu',
      name: 'features',
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 100 }),
    })
    .apply(x) as tf.SymbolicTensor;
  const head = (name: string, units: number, activation: 'linear' | 'sigmoid' | 'softmax', offset: number) =>
    tf.layers
      .dense({ units, activation, name, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + offset }) })
      .apply(x) as tf.SymbolicTensor;
  return tf.model({
    inputs: input,
    outputs: [
      head(LOCALIZER_HEADS.corners, 8, 'linear', 101),
      head(LOCALIZER_HEADS.presence, 1, 'sigmoid', 102),
      head(LOCALIZER_HEADS.count, MAX_COLUMN_COUNT, 'softmax', 103),
    ],
    name: 'soroban_localizer',
  });
}
