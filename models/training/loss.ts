/** The training loss and per-batch metrics of the two-head classifier. */
import * as tf from '@tensorflow/tfjs';

/** Keeps log() finite. */
const EPS = 1e-7;

/**
 * Binary cross-entropy of the heaven head plus categorical cross-entropy of
 * the earth head (both means over the batch).
 * @param heaven [B, 1] sigmoid output; @param earth [B, 5] softmax output
 * @param heavenLabels [B, 1] 0/1; @param earthLabels [B] int32 0..4
 */
export function twoHeadLoss(heaven: tf.Tensor, earth: tf.Tensor, heavenLabels: tf.Tensor, earthLabels: tf.Tensor): { total: tf.Scalar; heaven: tf.Scalar; earth: tf.Scalar } {
  const h = tf.clipByValue(heaven, EPS, 1 - EPS);
  const heavenLoss = tf.neg(tf.mean(tf.add(tf.mul(heavenLabels, tf.log(h)), tf.mul(tf.sub(1, heavenLabels), tf.log(tf.sub(1, h)))))) as tf.Scalar;
  const oneHot = tf.oneHot(earthLabels as tf.Tensor1D, 5);
  const earthLoss = tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(earth, EPS, 1))), 1))) as tf.Scalar;
  return { total: tf.add(heavenLoss, earthLoss) as tf.Scalar, heaven: heavenLoss, earth: earthLoss };
}
