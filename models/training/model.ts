/**
 * The column classifier: grey 128 × 64 × 1 in [0, 1], a Rescaling layer
 * inside (x · 2 − 1, as the field's models), conv + max-pool blocks, and
 * three named heads: `heaven` (sigmoid, [B, 1]), `earth` (softmax, [B, 5]) and
 * `readable` (sigmoid, [B, 1]: the crop shows one whole column that can be
 * seen — not a hand, not half of two columns, not the table).
 *
 * The last feature map (4 × 2 × 64 for the shipped five blocks) is flattened rather than globally averaged:
 * the digit is WHERE the beads are (heaven bead at the bar or not, where the
 * gap in the earth beads is), and a global average throws position away.
 */
import * as tf from '@tensorflow/tfjs';

/** Input size of the shipped model. */
export const INPUT = { height: 128, width: 64, channels: 1 } as const;

/** The affine map the model applies to its input (Rescaling layer): x · scale + offset. */
export const RESCALING = { scale: 2, offset: -1 } as const;

/** Layer names of the heads (also the output names the contract binds). */
export const HEADS = { heaven: 'heaven', earth: 'earth', readable: 'readable' } as const;

/** Architecture knobs (the tests build a tiny one). */
export interface ModelOptions {
  /** Filters of the conv blocks (each followed by a 2 × 2 max-pool). */
  readonly filters: readonly number[];
  /** Units of the shared dense layer. */
  readonly dense: number;
  /** Input size (default {@link INPUT}). */
  readonly input?: { readonly height: number; readonly width: number };
  /** Dropout rate on the flattened features during training (0 = none). */
  readonly dropout?: number;
  /** Seed of the initializers. */
  readonly seed?: number;
  /** Add the third head, `readable` (sigmoid): whether the crop shows one whole, visible column. Default true. */
  readonly readableHead?: boolean;
}

/**
 * The shipped architecture. Run 4 (conv 8-16-32-40, dense 32, dropout 0.3) read 98.7 % of test
 * digits with its training accuracy no higher than validation's: with fresh photos every epoch it
 * underfits, so run 5 is wider and one block deeper, without dropout (~84 k parameters, ~1.8× the
 * multiply-adds).
 */
export const SHIPPED_ARCHITECTURE: ModelOptions = { filters: [12, 24, 32, 48, 64], dense: 64, dropout: 0 };

/**
 * Conv block `i` (from 0): a 3 × 3 same-padded ReLU convolution (`conv{i+1}`, He-initialized from `seed + i`) and a
 * 2 × 2 max-pool (`pool{i+1}`) — the classifier's and the localizer's backbone.
 */
export function convBlock(x: tf.SymbolicTensor, filters: number, i: number, seed: number): tf.SymbolicTensor {
  const conv = tf.layers
    .conv2d({
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: `conv${i + 1}`,
      kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }).apply(conv) as tf.SymbolicTensor;
}

/** The dense ReLU layer (`features`, He-initialized from `seed + 100`) every head of the model reads. */
export function sharedFeatures(x: tf.SymbolicTensor, units: number, seed: number): tf.SymbolicTensor {
  return tf.layers
    .dense({
      units,
      activation: 'relu',
      name: 'features',
      kernelInitializer: tf.initializers.heNormal({ seed: seed + 100 }),
    })
    .apply(x) as tf.SymbolicTensor;
}

/** A head: one dense layer on the shared features, named for the output the contract binds. */
export function denseHead(
  features: tf.SymbolicTensor,
  name: string,
  units: number,
  activation: 'sigmoid' | 'softmax',
  seed: number,
): tf.SymbolicTensor {
  return tf.layers
    .dense({ units, activation, name, kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    .apply(features) as tf.SymbolicTensor;
}

/** Builds an untrained column classifier. */
export function buildModel(options: ModelOptions = SHIPPED_ARCHITECTURE): tf.LayersModel {
  const height = options.input?.height ?? INPUT.height;
  const width = options.input?.width ?? INPUT.width;
  const seed = options.seed ?? 1;
  const input = tf.input({ shape: [height, width, 1], name: 'image' });
  let x = tf.layers
    .rescaling({ scale: RESCALING.scale, offset: RESCALING.offset, name: 'rescaling' })
    .apply(input) as tf.SymbolicTensor;
  options.filters.forEach((filters, i) => {
    x = convBlock(x, filters, i, seed);
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  if ((options.dropout ?? 0) > 0)
    x = tf.layers
      .dropout({ rate: options.dropout ?? 0, seed: seed + 50, name: 'dropout' })
      .apply(x) as tf.SymbolicTensor;
  x = sharedFeatures(x, options.dense, seed);
  const head = (name: string, units: number, activation: 'sigmoid' | 'softmax', seedOffset: number) =>
    denseHead(x, name, units, activation, seed + seedOffset);
  const heaven = head(HEADS.heaven, 1, 'sigmoid', 101);
  const earth = head(HEADS.earth, 5, 'softmax', 102);
  if (options.readableHead === false)
    return tf.model({ inputs: input, outputs: [heaven, earth], name: 'column_classifier' });
  const readable = head(HEADS.readable, 1, 'sigmoid', 103);
  return tf.model({ inputs: input, outputs: [heaven, earth, readable], name: 'column_classifier' });
}

/** Parameter count and float32 weight bytes of a model. */
export function modelSize(model: tf.LayersModel): { parameters: number; bytes: number } {
  const parameters = model.countParams();
  return { parameters, bytes: parameters * 4 };
}
