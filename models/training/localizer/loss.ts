/** The localizer's training loss. */
import * as tf from '@tensorflow/tfjs';
import { CORNER_VALUES } from '../../../src/contract/schema.ts';
import { MAX_COLUMN_COUNT } from '../../../src/localize/limits.ts';
import { binaryCrossEntropy, maskedMean } from '../../../src/training/loss.ts';

/**
 * Weight of the corner error against the two cross-entropies: corners 1 % of the window off cost 0.025 (Huber with
 * δ = 0.02 is e²/2δ below δ), 5 % off 0.4.
 */
export const CORNER_WEIGHT = 10;
/** Corner errors below this (window units) cost their square, above it their size (Huber). */
const HUBER_DELTA = 0.02;

/** The labels of a batch. */
export interface LocalizerLabels {
  readonly corners: tf.Tensor2D;
  /** [B, 4]: which corners are labels to learn (see LocalizerSamples.cornerWeight). */
  readonly cornerWeight: tf.Tensor2D;
  /** [B, 1]: whether the count is a label to learn. */
  readonly countWeight: tf.Tensor2D;
  readonly present: tf.Tensor2D;
  /** [B, 21]: the target distribution over counts 1..21 (see {@link countTarget}). */
  readonly count: tf.Tensor2D;
}

/** Spread of the count target in log-count space. */
export const COUNT_SPREAD = 0.08;

/**
 * The count head's target for `columns`: a bump over log(count), not a one-hot. The model is asked to be near —
 * 9, 10 and 11 columns look alike at the size it reads them, while 2 and 3 do not — and the bead area's
 * periodicity picks the exact count among the near ones (src/localize/locate.ts).
 */
export function countTarget(columns: number): Float32Array {
  const target = new Float32Array(MAX_COLUMN_COUNT);
  let sum = 0;
  for (let k = 1; k <= MAX_COLUMN_COUNT; k++) {
    const d = Math.log(k / columns) / COUNT_SPREAD;
    target[k - 1] = Math.exp(-0.5 * d * d);
    sum += target[k - 1] ?? 0;
  }
  for (let k = 0; k < MAX_COLUMN_COUNT; k++) target[k] = (target[k] ?? 0) / sum;
  return target;
}

/**
 * Presence cross-entropy on every window; corner error (mean Huber over the coordinates of the corners that are
 * labels: all four where a whole soroban is in the window, one in a corner window) and count cross-entropy only where
 * a whole soroban is in the window.
 */
export function localizerLoss(
  corners: tf.Tensor,
  presence: tf.Tensor,
  count: tf.Tensor,
  labels: LocalizerLabels,
): { total: tf.Scalar; corners: tf.Scalar; presence: tf.Scalar; count: tf.Scalar } {
  const error = tf.abs(tf.sub(corners, labels.corners));
  // Huber as m²/2δ + (e − m) with m = min(e, δ): the same values as the two-branch form, with a gradient (a
  // comparison has none).
  const small = tf.minimum(error, HUBER_DELTA);
  const huber = tf.add(tf.div(tf.square(small), 2 * HUBER_DELTA), tf.sub(error, small));
  // Each corner's weight covers its x and y.
  const coordinateWeight = tf.reshape(tf.tile(tf.expandDims(labels.cornerWeight, 2), [1, 1, 2]), [-1, CORNER_VALUES]);
  const cornerLoss = tf.div(
    tf.sum(tf.mul(huber, coordinateWeight)),
    tf.maximum(tf.sum(coordinateWeight), 1),
  ) as tf.Scalar;
  const presenceLoss = tf.mean(binaryCrossEntropy(presence, labels.present)) as tf.Scalar;
  const countPerSample = tf.neg(tf.sum(tf.mul(labels.count, tf.log(tf.clipByValue(count, 1e-7, 1))), 1, true));
  const countLoss = maskedMean(countPerSample, labels.countWeight);
  return {
    total: tf.addN([tf.mul(cornerLoss, CORNER_WEIGHT), presenceLoss, countLoss]) as tf.Scalar,
    corners: cornerLoss,
    presence: presenceLoss,
    count: countLoss,
  };
}
