/** The training loss of the column classifier. */
import * as tf from '@tensorflow/tfjs';

/** Keeps log() finite. */
const EPS = 1e-7;

/** Elementwise binary cross-entropy of probabilities `p` against 0/1 `labels`. */
export function binaryCrossEntropy(p: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  const q = tf.clipByValue(p, EPS, 1 - EPS);
  return tf.neg(tf.add(tf.mul(labels, tf.log(q)), tf.mul(tf.sub(1, labels), tf.log(tf.sub(1, q)))));
}

/** The mean of `values` over the samples whose `mask` is 1 (0 when none is). */
export function maskedMean(values: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/**
 * Binary cross-entropy of the heaven head plus categorical cross-entropy of
 * the earth head (both means over the batch).
 * @param heaven [B, 1] sigmoid output; @param earth [B, 5] softmax output
 * @param heavenLabels [B, 1] 0/1; @param earthLabels [B] int32 0..4
 */
export function twoHeadLoss(
  heaven: tf.Tensor,
  earth: tf.Tensor,
  heavenLabels: tf.Tensor,
  earthLabels: tf.Tensor,
): { total: tf.Scalar; heaven: tf.Scalar; earth: tf.Scalar } {
  const heavenLoss = tf.mean(binaryCrossEntropy(heaven, heavenLabels)) as tf.Scalar;
  const oneHot = tf.oneHot(earthLabels as tf.Tensor1D, 5);
  const earthLoss = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(earth, EPS, 1))), 1))) as tf.Scalar;
  return { total: tf.add(heavenLoss, earthLoss) as tf.Scalar, heaven: heavenLoss, earth: earthLoss };
}

/**
 * The three-head loss: the digit heads learn only from crops that show a readable column (a hand or
 * half of two columns has no digit), the readable head from every crop.
 * @param readable [B, 1] sigmoid output; @param readableLabels [B, 1] 0/1
 */
export function threeHeadLoss(
  heaven: tf.Tensor,
  earth: tf.Tensor,
  readable: tf.Tensor,
  labels: { readonly heaven: tf.Tensor; readonly earth: tf.Tensor; readonly readable: tf.Tensor },
): { total: tf.Scalar; heaven: tf.Scalar; earth: tf.Scalar; readable: tf.Scalar } {
  const mask = labels.readable;
  const heavenLoss = maskedMean(binaryCrossEntropy(heaven, labels.heaven), mask);
  const oneHot = tf.oneHot(labels.earth as tf.Tensor1D, 5);
  const earthPerSample = tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(earth, EPS, 1))), 1, true));
  const earthLoss = maskedMean(earthPerSample, mask);
  const readableLoss = tf.mean(binaryCrossEntropy(readable, labels.readable)) as tf.Scalar;
  return {
    total: tf.addN([heavenLoss, earthLoss, readableLoss]) as tf.Scalar,
    heaven: heavenLoss,
    earth: earthLoss,
    readable: readableLoss,
  };
}
